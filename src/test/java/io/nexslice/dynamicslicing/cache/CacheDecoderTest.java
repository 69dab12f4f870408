package io.nexslice.dynamicslicing.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Service;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.BodyAsJson;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UpfMark;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.profile.OaiUpfProfile;
import io.nexslice.dynamicslicing.slice.Slice;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the informer caches keep, decoded from objects as the API server sends them. */
class CacheDecoderTest {
  private final JSON json = new JSON();
  private final CacheDecoder decoder = new CacheDecoder();
  private final ApplyJson applyJson = new ApplyJson(json);
  private final UpfObjects upf = new UpfDesiredState(new OaiUpfProfile(), Optional.empty(), 1, sst -> "oai-nrf")
      .build(new UeRef("nexslice", "ue1", "uid-1"), new Slice(1, Optional.of("FFFFFF"), "oai"), "12.1.0.0/24");

  /** The desired object as the API server returns it: defaults, status, managedFields, others' annotations. */
  private JsonObject asServed(Object desired) {
    JsonObject o = applyJson.pruned(desired).getAsJsonObject();
    JsonObject meta = o.getAsJsonObject("metadata");
    meta.addProperty("uid", "d-uid");
    meta.addProperty("resourceVersion", "42");
    meta.addProperty("creationTimestamp", "2026-11-26T10:00:00Z");
    meta.getAsJsonObject("annotations").addProperty("deployment.kubernetes.io/revision", "1");
    JsonArray managed = new JsonArray();
    managed.add(JsonParser.parseString("{\"manager\":\"dynamic-slicing\",\"operation\":\"Apply\",\"fieldsV1\":{\"f:spec\":{}}}"));
    meta.add("managedFields", managed);
    if (o.has("spec")) {
      o.getAsJsonObject("spec").addProperty("revisionHistoryLimit", 10);
      o.add("status", JsonParser.parseString("{\"replicas\":1,\"conditions\":[{\"type\":\"Available\"}]}"));
    }
    return o;
  }

  private <T extends KubernetesObject> T decode(CacheDecoder.Kind<T> kind, String text) throws IOException {
    return decoder.read(kind, text);
  }

  @Test
  void ourDeploymentKeepsItsSpecAsJsonAndStillSatisfiesTheDesiredOne() throws IOException {
    V1Deployment cached = decode(decoder::deployment, asServed(upf.deployment()).toString());

    BodyAsJson spec = assertInstanceOf(BodyAsJson.class, cached);
    assertNull(cached.getSpec(), "no model objects for the spec");
    assertEquals("spec", spec.field());
    assertTrue(spec.json().contains("\"revisionHistoryLimit\":10"));
    assertEquals("42", cached.getMetadata().getResourceVersion());
    assertEquals("12.1.0.0/24", cached.getMetadata().getAnnotations().get("nexslice.io/ue-pool"));
    assertFalse(cached.getMetadata().getAnnotations().containsKey("deployment.kubernetes.io/revision"));
    assertTrue(cached.getMetadata().getManagedFields().isEmpty());
    assertEquals("uid-1", cached.getMetadata().getOwnerReferences().get(0).getUid());
    assertNotNull(cached.getMetadata().getCreationTimestamp(), "the status API's 'since'");
    assertEquals(Optional.empty(), applyJson.difference(upf.deployment(), cached));
  }

  @Test
  void ourDeploymentKeepsItsAvailableReplicasForTheUesMark() throws IOException {
    JsonObject served = asServed(upf.deployment());
    V1Deployment none = decode(decoder::deployment, served.toString());
    assertFalse(UpfMark.isAvailable(none), "no availableReplicas in the status: not available");
    served.getAsJsonObject("status").addProperty("availableReplicas", 2);
    V1Deployment two = decode(decoder::deployment, served.toString());
    assertEquals(2, two.getStatus().getAvailableReplicas());
    assertTrue(UpfMark.isAvailable(two));
    assertEquals(Optional.empty(), applyJson.difference(upf.deployment(), two), "the status is no drift");
  }

  @Test
  void aChangedSpecIsStillSeenAsDrift() throws IOException {
    JsonObject served = asServed(upf.deployment());
    served.getAsJsonObject("spec").addProperty("replicas", 3);
    V1Deployment cached = decode(decoder::deployment, served.toString());

    assertEquals(Optional.of("spec.replicas"), applyJson.difference(upf.deployment(), cached));
  }

  @Test
  void ourServiceAndConfigMapSatisfyTheirDesiredObjects() throws IOException {
    V1Service service = decode(decoder::service, asServed(upf.service()).toString());
    V1ConfigMap config = decode(decoder::configMap, asServed(upf.configMap()).toString());

    assertEquals(Optional.empty(), applyJson.difference(upf.service(), service));
    assertEquals(Optional.empty(), applyJson.difference(upf.configMap(), config));
    assertEquals("data", assertInstanceOf(BodyAsJson.class, config).field());

    JsonObject changed = asServed(upf.configMap());
    changed.getAsJsonObject("data").addProperty("config.yaml", "edited by hand");
    V1ConfigMap edited = decode(decoder::configMap, changed.toString());
    assertEquals(Optional.of("data.config.yaml"), applyJson.difference(upf.configMap(), edited));
  }

  @Test
  void aForeignDeploymentKeepsOnlyWhatTheSquatterCheckReads() throws IOException {
    V1Deployment foreign = decode(decoder::deployment, """
        {"kind":"Deployment","metadata":{"name":"upf-ue1","namespace":"nexslice","uid":"f-uid","resourceVersion":"7",
          "labels":{"app":"mine"},"annotations":{"big":"xxxxxxxx"},
          "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"r-uid"}]},
         "spec":{"replicas":1},"status":{}}""");

    assertFalse(foreign instanceof BodyAsJson);
    assertNull(foreign.getSpec());
    assertEquals("mine", foreign.getMetadata().getLabels().get("app"));
    assertTrue(foreign.getMetadata().getAnnotations().isEmpty());
    assertEquals("ReplicaSet", foreign.getMetadata().getOwnerReferences().get(0).getKind());
  }

  @Test
  void aPodKeepsItsConfigMapVolumesReadyConditionAndOurAnnotations() throws IOException {
    V1Pod pod = decode(decoder::pod, """
        {"metadata":{"name":"ue1","namespace":"nexslice","uid":"p-uid","resourceVersion":"9",
          "creationTimestamp":"2026-11-26T09:00:00Z","deletionTimestamp":"2026-11-26T10:00:05Z",
          "labels":{"nexslice.io/dynamic-upf":"true"},
          "annotations":{"nexslice.io/sst":"2","kubectl.kubernetes.io/last-applied-configuration":"{...}"}},
         "spec":{"containers":[{"name":"ue","image":"ueransim"}],
          "volumes":[{"name":"cfg","configMap":{"name":"ue1-config","items":[{"key":"ue.yaml","path":"ue.yaml"}]}},
                     {"name":"tmp","emptyDir":{}}]},
         "status":{"phase":"Running","podIP":"10.0.0.1","conditions":[
          {"type":"PodScheduled","status":"True"},
          {"type":"Ready","status":"True","lastTransitionTime":"2026-11-26T10:00:01Z"}]}}""");

    assertEquals("2", pod.getMetadata().getAnnotations().get("nexslice.io/sst"));
    assertEquals(1, pod.getMetadata().getAnnotations().size());
    assertNotNull(pod.getMetadata().getDeletionTimestamp());
    assertNull(pod.getMetadata().getCreationTimestamp(), "nothing reads a pod's");
    assertEquals(1, pod.getSpec().getVolumes().size());
    assertEquals("ue1-config", pod.getSpec().getVolumes().get(0).getConfigMap().getName());
    assertEquals("ue.yaml", pod.getSpec().getVolumes().get(0).getConfigMap().getItems().get(0).getKey());
    assertTrue(pod.getSpec().getContainers().isEmpty());
    assertEquals(1, pod.getStatus().getConditions().size());
    assertEquals("True", pod.getStatus().getConditions().get(0).getStatus());
    assertNotNull(pod.getStatus().getConditions().get(0).getLastTransitionTime());
    assertNull(pod.getStatus().getPodIP());
  }

  @Test
  void aConfigMapKeepsItsDataAndOnlyTheKeysOfItsBinaryData() throws IOException {
    V1ConfigMap cm = decode(decoder::configMap, """
        {"metadata":{"name":"ue1-config","namespace":"nexslice"},
         "data":{"ue.yaml":"supi: imsi-1"},"binaryData":{"blob":"AAEC"}}""");

    assertEquals("supi: imsi-1", cm.getData().get("ue.yaml"));
    assertEquals(0, cm.getBinaryData().get("blob").length);
  }

  /** ue.sh's ConfigMap of a UE, as the API server sent it (kubectl get --raw, benchmark cluster). */
  private static String servedUeConfigMap() throws IOException {
    try (InputStream in = CacheDecoderTest.class.getResourceAsStream("/apiserver/ue-configmap.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aConfigMapNotOursGivesBackTheDataTheApiServerSent() throws IOException {
    String served = servedUeConfigMap();
    Map<String, String> sent = json.<V1ConfigMap>deserialize(served, V1ConfigMap.class).getData();

    V1ConfigMap cm = decode(decoder::configMap, served);

    assertEquals(sent, cm.getData());
    assertEquals(sent.get("ue.yaml"), cm.getData().get("ue.yaml"));
    // The server escaped these as \\u003c and \\u003e.
    assertTrue(cm.getData().get("ue-session.sh").contains("nexslice.io/upf=<UPF>"));
    assertEquals(Set.of("ue.yaml", "ue-session.sh"), cm.getData().keySet());
    assertNull(cm.getData().get("config"));
    assertFalse(cm.getData().containsKey("config"));
  }

  @Test
  void aConfigMapNotOursPacksAgainstTheFirstWithTheSameKeys() throws IOException {
    String served = servedUeConfigMap();
    // Another ConfigMap comes first, as kube-root-ca.crt does in a namespace.
    decode(decoder::configMap, """
        {"metadata":{"name":"kube-root-ca.crt","namespace":"nexslice"},
         "data":{"ca.crt":"-----BEGIN CERTIFICATE-----\\nMIIC5zCCAc+gAwIBAgIBATANBgkqhkiG9w0BAQsF\\n-----END CERTIFICATE-----\\n"}}""");
    decode(decoder::configMap, served);

    V1ConfigMap next = decode(decoder::configMap, served.replace("208950100000000", "208950100000001"));

    PackedConfigData data = assertInstanceOf(PackedConfigData.class, next.getData());
    assertTrue(data.packedSize() < 100, "the first UE's data is the dictionary: " + data.packedSize() + " bytes");
    assertTrue(next.getData().get("ue.yaml").contains("imsi-208950100000001"));
  }

  @Test
  void aConfigMapWhoseDataComesBeforeItsMetadataIsKeptAsEither() throws IOException {
    V1ConfigMap theirs = decode(decoder::configMap, """
        {"data":{"k":"v","n":null},"metadata":{"name":"c","namespace":"nexslice"}}""");
    assertEquals(Map.of("k", "v"), theirs.getData());

    JsonObject served = asServed(upf.configMap());
    JsonObject reordered = new JsonObject();
    reordered.add("data", served.get("data"));
    reordered.add("metadata", served.get("metadata"));
    V1ConfigMap ours = decode(decoder::configMap, reordered.toString());
    assertEquals(Optional.empty(), applyJson.difference(upf.configMap(), ours));
  }

  @Test
  void packedTextComesBackWhole() {
    PackedText.Kind kind = new PackedText.Kind();
    String first = asServed(upf.deployment()).getAsJsonObject("spec").toString();
    String second = first.replace("ue1", "ue2-with-a-longer-name");
    PackedText a = kind.pack(first.getBytes(StandardCharsets.UTF_8));
    PackedText b = kind.pack(second.getBytes(StandardCharsets.UTF_8));
    assertEquals(first, a.text());
    assertEquals(second, b.text());
    assertTrue(b.packedSize() * 4 < second.length(), "mostly the dictionary: " + b.packedSize());
    assertEquals("ünïcode ✓", kind.pack("ünïcode ✓".getBytes(StandardCharsets.UTF_8)).text());
  }

  @Test
  void eachDecoderPacksAgainstDictionariesOfItsOwn() throws IOException {
    JsonObject small = asServed(upf.deployment());
    small.add("spec", JsonParser.parseString("{\"replicas\":1}"));
    CacheDecoder other = new CacheDecoder();
    other.read(other::deployment, small.toString());
    String served = asServed(upf.deployment()).toString();

    PackedText againstSmall = assertInstanceOf(CacheDecoder.Packed.class, other.read(other::deployment, served)).packed();
    PackedText againstItself = assertInstanceOf(CacheDecoder.Packed.class, decode(decoder::deployment, served)).packed();
    assertTrue(againstItself.packedSize() * 4 < againstSmall.packedSize(),
        "this decoder's first spec is its dictionary, whatever another decoder read: "
            + againstItself.packedSize() + " vs " + againstSmall.packedSize());
  }

  @Test
  void repeatedStringsAreShared() throws IOException {
    String text = asServed(upf.deployment()).toString();
    V1Deployment a = decode(decoder::deployment, text);
    V1Deployment b = decode(decoder::deployment, text);

    assertSame(a.getMetadata().getNamespace(), b.getMetadata().getNamespace());
    assertSame(a.getMetadata().getAnnotations().get("nexslice.io/slice"), b.getMetadata().getAnnotations().get("nexslice.io/slice"));
    assertSame(a.getMetadata().getOwnerReferences().get(0).getUid(), b.getMetadata().getOwnerReferences().get(0).getUid());
    String key = a.getMetadata().getLabels().keySet().iterator().next();
    assertSame(key, b.getMetadata().getLabels().keySet().stream().filter(key::equals).findFirst().orElseThrow());
  }
}
