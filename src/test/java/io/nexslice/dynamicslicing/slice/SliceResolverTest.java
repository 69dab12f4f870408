package io.nexslice.dynamicslicing.slice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapVolumeSource;
import io.kubernetes.client.openapi.models.V1KeyToPath;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Volume;
import io.nexslice.dynamicslicing.cache.CacheDecoder;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SliceResolverTest {
  private final SliceResolver resolver = new SliceResolver(new Slice(1, Optional.of("FFFFFF"), "oai"));
  private final Map<String, V1ConfigMap> configMaps = new HashMap<>();
  private final CacheDecoder decoder = new CacheDecoder();

  private V1Pod pod(Map<String, String> annotations, V1Volume... volumes) {
    return new V1Pod().metadata(new V1ObjectMeta().name("ue").namespace("ns").annotations(annotations))
        .spec(new V1PodSpec().volumes(List.of(volumes)));
  }

  private void configMap(String name, String key, String text) {
    configMap(name, key, text, null);
  }

  private void configMap(String name, String key, String text, String resourceVersion) {
    configMaps.put("ns/" + name, new V1ConfigMap().metadata(new V1ObjectMeta().name(name).namespace("ns")
        .resourceVersion(resourceVersion)).data(Map.of(key, text)));
  }

  private SliceResolver.Resolution resolve(V1Pod pod) {
    return resolver.resolve(pod, (ns, name) -> configMaps.get(ns + "/" + name));
  }

  private static V1Volume mount(String configMap) {
    return new V1Volume().name("cfg").configMap(new V1ConfigMapVolumeSource().name(configMap));
  }

  private static Slice slice(SliceResolver.Resolution r) {
    return assertInstanceOf(SliceResolver.Resolved.class, r).slice();
  }

  @Test
  void defaultsWhenTheUeSaysNothing() {
    assertEquals("sst=1 sd=FFFFFF dnn=oai", slice(resolve(pod(Map.of()))).toString());
  }

  @Test
  void ueYamlWinsOverDefaults() {
    configMap("ue1-config", "ue.yaml", UeConfigTest.NEXSLICE_UE);
    assertEquals("sst=2 sd=FFFFFF dnn=oai2", slice(resolve(pod(Map.of(), mount("ue1-config")))).toString());
  }

  @Test
  void ueYamlUnderAnotherKeyIsFoundThroughItems() {
    configMaps.put("ns/c", new V1ConfigMap().metadata(new V1ObjectMeta().name("c").namespace("ns"))
        .data(Map.of("config", "sessions: [{apn: oai3, slice: {sst: 3}}]")));
    V1Volume v = new V1Volume().name("cfg").configMap(new V1ConfigMapVolumeSource().name("c")
        .items(List.of(new V1KeyToPath().key("config").path("ue.yaml"))));
    assertEquals("sst=3 sd=FFFFFF dnn=oai3", slice(resolve(pod(Map.of(), v))).toString());
  }

  @Test
  void annotationsWinOverUeYamlFieldByField() {
    configMap("ue1-config", "ue.yaml", UeConfigTest.NEXSLICE_UE);
    V1Pod p = pod(Map.of("nexslice.io/sst", "3", "nexslice.io/dnn", "oai3"), mount("ue1-config"));
    SliceResolver.Resolved r = assertInstanceOf(SliceResolver.Resolved.class, resolve(p));
    assertEquals("sst=3 sd=FFFFFF dnn=oai3", r.slice().toString());
    assertTrue(r.source().contains("sd from ConfigMap ue1-config"), r.source());
  }

  @Test
  void aUeYamlIsParsedOncePerConfigMapVersion() {
    configMap("c", "ue.yaml", UeConfigTest.NEXSLICE_UE, "41");
    assertEquals("sst=2 sd=FFFFFF dnn=oai2", slice(resolve(pod(Map.of(), mount("c")))).toString());
    // Same version, other text: impossible in a cluster, so it proves the result is remembered.
    configMap("c", "ue.yaml", "sessions: [{apn: other, slice: {sst: 3}}]", "41");
    assertEquals("sst=2 sd=FFFFFF dnn=oai2", slice(resolve(pod(Map.of(), mount("c")))).toString());
    // A new version is parsed again, and so is an invalid one, each time refused.
    configMap("c", "ue.yaml", "sessions: [{apn: other, slice: {sst: 3}}]", "42");
    assertEquals("sst=3 sd=FFFFFF dnn=other", slice(resolve(pod(Map.of(), mount("c")))).toString());
    configMap("c", "ue.yaml", "sessions: [", "43");
    assertInstanceOf(SliceResolver.Invalid.class, resolve(pod(Map.of(), mount("c"))));
    assertInstanceOf(SliceResolver.Invalid.class, resolve(pod(Map.of(), mount("c"))));
  }

  @Test
  void anEmptySdAnnotationMeansNoSd() {
    assertEquals("sst=1 dnn=oai", slice(resolve(pod(Map.of("nexslice.io/sd", "")))).toString());
  }

  @Test
  void invalidValuesAreRefusedNotSkipped() {
    for (Map<String, String> bad : List.of(
        Map.of("nexslice.io/sst", "256"), Map.of("nexslice.io/sst", "-1"), Map.of("nexslice.io/sst", "one"),
        Map.of("nexslice.io/sst", ""), Map.of("nexslice.io/sd", "12345"), Map.of("nexslice.io/sd", "GGGGGG"),
        Map.of("nexslice.io/dnn", "bad dnn"), Map.of("nexslice.io/dnn", ""), Map.of("nexslice.io/dnn", "ünïcode"),
        Map.of("nexslice.io/dnn", "a".repeat(101)), Map.of("nexslice.io/sst", "1".repeat(10_000)))) {
      assertInstanceOf(SliceResolver.Invalid.class, resolve(pod(bad)), bad::toString);
    }
  }

  @Test
  void aMalformedUeYamlIsRefusedAndAMissingOneIsWaitedForUnlessOptional() {
    configMap("broken", "ue.yaml", "sessions: [");
    assertInstanceOf(SliceResolver.Invalid.class, resolve(pod(Map.of(), mount("broken"))));
    // Not in the cache yet: the pod cannot start without it, so the slice is not known yet.
    assertInstanceOf(SliceResolver.Pending.class, resolve(pod(Map.of(), mount("not-there"))));
    V1Volume optional = mount("not-there");
    optional.getConfigMap().optional(true);
    assertEquals("sst=1 sd=FFFFFF dnn=oai", slice(resolve(pod(Map.of(), optional))).toString());
  }

  /** What the controller's cache holds: the ConfigMap decoded from the API server's JSON. */
  private void cachedConfigMap(String name, String resourceVersion, JsonObject data, JsonObject binaryData)
      throws IOException {
    JsonObject served = new JsonObject();
    served.add("metadata", JsonParser.parseString(
        "{\"name\":\"" + name + "\",\"namespace\":\"ns\",\"resourceVersion\":\"" + resourceVersion + "\"}"));
    served.add("data", data);
    if (binaryData != null) {
      served.add("binaryData", binaryData);
    }
    configMaps.put("ns/" + name, decoder.read(decoder::configMap, served.toString()));
  }

  private static JsonObject data(String... keyValues) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < keyValues.length; i += 2) {
      o.addProperty(keyValues[i], keyValues[i + 1]);
    }
    return o;
  }

  @Test
  void aCachedConfigMapGivesItsUeYamlUnderEitherKeyAndItsNewTextOnceChanged() throws IOException {
    cachedConfigMap("c", "41", data("entrypoint.sh", "#!/bin/sh\nexec nr-ue -c /etc/ue.yaml\n",
        "ue.yaml", UeConfigTest.NEXSLICE_UE, "config", "sessions: [{apn: oai3, slice: {sst: 3}}]"), null);
    V1Volume mapped = new V1Volume().name("cfg").configMap(new V1ConfigMapVolumeSource().name("c")
        .items(List.of(new V1KeyToPath().key("config").path("ue.yaml"))));

    assertEquals("sst=2 sd=FFFFFF dnn=oai2", slice(resolve(pod(Map.of(), mount("c")))).toString());
    assertEquals("sst=3 sd=FFFFFF dnn=oai3", slice(resolve(pod(Map.of(), mapped))).toString());

    cachedConfigMap("c", "42", data("ue.yaml", "sessions: [{apn: other, slice: {sst: 1, sd: 0x000001}}]",
        "config", "sessions: ["), null);
    assertEquals("sst=1 sd=000001 dnn=other", slice(resolve(pod(Map.of(), mount("c")))).toString());
    SliceResolver.Invalid invalid = assertInstanceOf(SliceResolver.Invalid.class, resolve(pod(Map.of(), mapped)));
    assertEquals(invalid, resolve(pod(Map.of(), mapped)));
    assertTrue(invalid.reason().startsWith("ue.yaml is not valid YAML"), invalid.reason());
  }

  @Test
  void aCachedConfigMapWithABinaryUeYamlIsRefused() throws IOException {
    JsonObject binary = new JsonObject();
    binary.addProperty("ue.yaml", "AAEC");
    cachedConfigMap("bin", "7", data("other", "x"), binary);
    assertEquals(new SliceResolver.Invalid("ConfigMap bin key ue.yaml holds binary data, not a UERANSIM config"),
        resolve(pod(Map.of(), mount("bin"))));
  }
}
