package io.nexslice.dynamicslicing.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.profile.CustomUpfProfile;
import io.nexslice.dynamicslicing.profile.Free5gcUpfProfile;
import io.nexslice.dynamicslicing.profile.OaiUpfProfile;
import io.nexslice.dynamicslicing.profile.UpfProfile;
import io.nexslice.dynamicslicing.slice.Slice;
import io.nexslice.dynamicslicing.slice.SliceGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** ModelGson must write every object we apply exactly as client-java's own Gson does. */
class ModelGsonTest {
  private final JSON clientJava = new JSON();
  private final Gson lean = ModelGson.create(clientJava);

  @Test
  void everyObjectOfEveryProfileIsWrittenAsClientJavaWritesIt() throws Exception {
    List<KubernetesObject> objects = new ArrayList<>();
    List<UpfProfile> profiles = List.of(new OaiUpfProfile(), new Free5gcUpfProfile(),
        new CustomUpfProfile(Files.readString(Path.of("src/test/resources/profiles/custom-upf.yaml")), "test"));
    Slice slice = new Slice(1, Optional.of("FFFFFF"), "oai");
    for (UpfProfile profile : profiles) {
      UpfDesiredState desired = new UpfDesiredState(profile, Optional.of("registry.example/upf:1"), 2, sst -> "oai-nrf");
      objects.addAll(desired.build(new UeRef("nexslice", "ue1", "uid-1"), slice, "12.1.0.0/24").all());
      objects.addAll(desired.buildShared(new SliceGroup("nexslice", slice),
          List.of(new UeRef("nexslice", "ue1", "uid-1"), new UeRef("nexslice", "ue2", "uid-2")), "12.1.1.0/24", 1).all());
    }
    assertEquals(18, objects.size());
    for (KubernetesObject o : objects) {
      assertEquals(clientJavaBody(o), leanBody(o), o.getKind() + " " + o.getMetadata().getName());
    }
  }

  @Test
  void datesBinaryDataAndIntOrStringUseClientJavasFormats() {
    var cm = new V1ConfigMap()
        .metadata(new V1ObjectMeta().name("c")
            .creationTimestamp(OffsetDateTime.parse("2026-11-26T10:15:30.123456Z")))
        .binaryData(Map.of("b", new byte[] {1, 2, 3}));
    var port = new V1ServicePort().port(80)
        .targetPort(new IntOrString("http"));
    assertEquals(clientJavaBody(cm), leanBody(cm));
    assertEquals(clientJavaBody(port), leanBody(port));
    assertFalse(leanBody(cm).toString().contains("dateTime"), leanBody(cm).toString());
  }

  private JsonElement clientJavaBody(Object o) {
    JsonElement tree = clientJava.getGson().toJsonTree(o);
    ApplyJson.prune(tree);
    return tree;
  }

  private JsonElement leanBody(Object o) {
    JsonElement tree = lean.toJsonTree(o);
    ApplyJson.prune(tree);
    return tree;
  }
}
