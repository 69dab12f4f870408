package io.nexslice.dynamicslicing.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Service;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.profile.OaiUpfProfile;
import io.nexslice.dynamicslicing.slice.Slice;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpfDesiredStateTest {
  private final UeRef ue = new UeRef("nexslice", "ueransim-ue1", "uid-1");
  private final UpfObjects upf = new UpfDesiredState(new OaiUpfProfile(),
      Optional.of("registry.example/upf:1"), 2, sst -> "oai-nrf")
      .build(ue, new Slice(1, Optional.of("FFFFFF"), "oai"), "12.2.3.0/24");
  private final ApplyJson applyJson = new ApplyJson(new JSON());

  @Test
  void anOaiUpfRegistersInItsSlicesNrfNexSlicesSlice3InTheSecondOne() {
    var nrfs = ControllerConfig.fromEnvironment(Map.of()).nrfHosts();
    var desired = new UpfDesiredState(new OaiUpfProfile(), Optional.empty(), 1,
        nrfs::forSst);
    for (int sst = 1; sst <= 3; sst++) {
      String config = desired.build(ue, new Slice(sst, Optional.empty(), "oai"),
          "12.2.3.0/24").configMap().getData().get("config.yaml");
      String nrf = config.substring(config.indexOf("  nrf:"), config.indexOf("  upf:"));
      assertTrue(nrf.contains("host: " + (sst == 3 ? "oai-nrf2" : "oai-nrf") + "\n"), "sst " + sst + ": " + nrf);
    }
  }

  @Test
  void deploymentRunsTheConfiguredImageAndReplicas() {
    V1Deployment d = upf.deployment();
    assertEquals("upf-ueransim-ue1", d.getMetadata().getName());
    assertEquals("nexslice", d.getMetadata().getNamespace());
    assertEquals(2, d.getSpec().getReplicas());
    V1Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("registry.example/upf:1", c.getImage());
    assertEquals(List.of(8805, 2152, 80), c.getPorts().stream().map(p -> p.getContainerPort()).toList());
    assertNull(d.getSpec().getTemplate().getSpec().getOverhead());
    assertEquals(d.getSpec().getSelector().getMatchLabels().entrySet().stream().filter(
        e -> !d.getSpec().getTemplate().getMetadata().getLabels().get(e.getKey()).equals(e.getValue())).count(), 0);
  }

  @Test
  void bothObjectsAreControlledByTheUePod() {
    for (var o : upf.all()) {
      V1OwnerReference ref = o.getMetadata().getOwnerReferences().get(0);
      assertEquals("Pod", ref.getKind());
      assertEquals("uid-1", ref.getUid());
      assertTrue(ref.getController());
      assertEquals("dynamic-slicing", o.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
      assertEquals("ueransim-ue1", o.getMetadata().getAnnotations().get("nexslice.io/ue-pod"));
    }
  }

  @Test
  void serviceExposesPfcpAndGtpuOverUdp() {
    V1Service s = upf.service();
    assertEquals(List.of("8805/UDP", "2152/UDP", "80/TCP"),
        s.getSpec().getPorts().stream().map(p -> p.getPort() + "/" + p.getProtocol()).toList());
    assertEquals(upf.deployment().getSpec().getSelector().getMatchLabels(), s.getSpec().getSelector());
  }

  @Test
  void poolSliceAndConfigChecksumAreRecorded() {
    assertEquals("12.2.3.0/24", upf.deployment().getMetadata().getAnnotations().get("nexslice.io/ue-pool"));
    assertEquals("sst=1 sd=FFFFFF dnn=oai", upf.deployment().getMetadata().getAnnotations().get("nexslice.io/slice"));
    String hash = upf.deployment().getSpec().getTemplate().getMetadata().getAnnotations().get("nexslice.io/config-sha256");
    assertEquals(64, hash.length());
    assertEquals("upf-ueransim-ue1", upf.configMap().getMetadata().getName());
    var other = new UpfDesiredState(new OaiUpfProfile(), Optional.empty(), 2,
        sst -> "oai-nrf").build(ue, new Slice(2, Optional.empty(), "oai2"), "12.2.3.0/24");
    assertTrue(!hash.equals(other.deployment().getSpec().getTemplate().getMetadata().getAnnotations()
        .get("nexslice.io/config-sha256")), "a different config restarts the pods");
    assertEquals("oaisoftwarealliance/oai-upf:v2.1.0",
        other.deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage(), "profile default image");
  }

  @Test
  void applyBodyHasNoOverheadAndNoEmptyCollections() {
    JsonObject body = applyJson.pruned(upf.deployment()).getAsJsonObject();
    JsonObject podSpec = body.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
    assertFalse(podSpec.has("overhead"));
    assertFalse(podSpec.has("tolerations"));
    assertFalse(body.getAsJsonObject("metadata").has("finalizers"));
    assertFalse(applyJson.body(upf.deployment()).contains("[]"));
  }

  @Test
  void anObjectWithServerDefaultsSatisfiesTheDesiredOne() {
    V1Deployment fromServer = new JSON().deserialize(applyJson.body(upf.deployment()), V1Deployment.class);
    fromServer.getMetadata().uid("x").resourceVersion("7");
    fromServer.getSpec().getTemplate().getSpec().getContainers().get(0).terminationMessagePath("/dev/termination-log");
    assertTrue(applyJson.isSatisfiedBy(upf.deployment(), fromServer));

    fromServer.getSpec().replicas(5);
    assertFalse(applyJson.isSatisfiedBy(upf.deployment(), fromServer));
  }

  @Test
  void anObjectListedIntoACacheWithoutTypeMetaIsStillSatisfied() {
    // Items of a LIST carry no apiVersion/kind; watch events do. Both are the same object.
    V1Deployment listed = new JSON().deserialize(applyJson.body(upf.deployment()), V1Deployment.class);
    listed.apiVersion(null).kind(null);
    assertTrue(applyJson.isSatisfiedBy(upf.deployment(), listed));
    listed.getSpec().replicas(9);
    assertEquals(Optional.of("spec.replicas"), applyJson.difference(upf.deployment(), listed));
  }

  @Test
  void anEditedImageIsNotSatisfied() {
    V1Deployment edited = new JSON().deserialize(applyJson.body(upf.deployment()), V1Deployment.class);
    edited.getSpec().getTemplate().getSpec().getContainers().get(0).image("evil:latest");
    assertFalse(applyJson.isSatisfiedBy(upf.deployment(), edited));
    assertFalse(applyJson.isSatisfiedBy(upf.deployment(), null));
  }
}
