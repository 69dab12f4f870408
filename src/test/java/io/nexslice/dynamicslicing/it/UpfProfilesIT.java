package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapVolumeSource;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.util.PatchUtils;
import io.nexslice.dynamicslicing.testing.MetricsText;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue #4: profiles, per-UPF config, address blocks and slices, on a real API server. */
@ExtendWith(ClusterExtension.class)
class UpfProfilesIT {
  static final String UE_YAML_SLICE_2 = """
      supi: 'imsi-208950000000032'
      mcc: '208'
      mnc: '95'
      sessions:
        - type: 'IPv4'
          apn: 'oai2'
          slice: {sst: 2, sd: 0xFFFFFF}
      """;

  private Kube kube;
  private String ns;
  private Controllers controllers;

  @BeforeEach
  void setUp(Kube kube) throws Exception {
    this.kube = kube;
    this.ns = kube.createNamespace("profiles");
    this.controllers = new Controllers(kube.cluster(), ns);
  }

  @AfterEach
  void tearDown() {
    controllers.close();
    kube.deleteNamespace(ns);
  }


  private String block(String upf) throws ApiException {
    return kube.deployment(ns, upf).getMetadata().getAnnotations().get("nexslice.io/ue-pool");
  }

  private V1ConfigMap config(String upf) throws ApiException {
    return kube.core.readNamespacedConfigMap(upf, ns).execute();
  }

  @Test
  void fiftyUesGetFiftyDistinctBlocksAndARestartKeepsEveryOne() throws Exception {
    // free5GC: its SMF takes each UPF's pool as the UPF declares it, so each UPF needs a block of its own.
    Map<String, String> env = Map.of("UPF_REPLICAS", "0", "UPF_PROFILE", "free5gc");
    RunningController c = controllers.start(env);
    for (int i = 0; i < 50; i++) {
      kube.createReadyUe(ns, "ue-" + i);
    }
    Map<String, String> blocks = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      kube.awaitUpf(ns, "upf-ue-" + i);
      await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> config("upf-ue-0") != null);
    }
    for (int i = 0; i < 50; i++) {
      String b = block("upf-ue-" + i);
      assertTrue(b.matches("12\\.2\\.\\d+\\.\\d+/29"), "a /29 of 12.2.0.0/16, the per-UE default: " + b);
      String conf = config("upf-ue-" + i).getData().get("upfcfg.yaml");
      assertTrue(conf.contains("cidr: " + b), "the UPF's config serves its own block: " + conf);
      blocks.put("upf-ue-" + i, b);
    }
    assertEquals(50, new HashSet<>(blocks.values()).size(), "distinct");

    controllers.stop(c);
    controllers.start(env);
    kube.createReadyUe(ns, "ue-after-restart");
    kube.awaitUpf(ns, "upf-ue-after-restart");
    for (Map.Entry<String, String> e : blocks.entrySet()) {
      assertEquals(e.getValue(), block(e.getKey()), e.getKey());
    }
    assertTrue(!blocks.containsValue(block("upf-ue-after-restart")), "a new UE gets a block no one holds");
  }

  @Test
  void detachFreesABlockThatAWaitingUeThenGets() throws Exception {
    // Two /24 blocks, so the third UE waits.
    controllers.start(Map.of("UPF_POOL_CIDR", "10.9.0.0/23", "UPF_POOL_BLOCK_PREFIX", "24", "UPF_REPLICAS", "0",
        "UPF_PROFILE", "free5gc"));
    kube.createReadyUe(ns, "ue-a");
    kube.createReadyUe(ns, "ue-b");
    kube.awaitUpf(ns, "upf-ue-a");
    kube.awaitUpf(ns, "upf-ue-b");
    String blockA = block("upf-ue-a");

    kube.createReadyUe(ns, "ue-c");
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-c", "Warning", "UpfPoolExhausted"));
    assertNull(kube.deployment(ns, "upf-ue-c"));

    kube.deletePod(ns, "ue-a");
    kube.awaitUpf(ns, "upf-ue-c");
    assertEquals(blockA, block("upf-ue-c"));
  }

  /** Issue #16: free5GC binds a subscriber with a static address to the UPF whose pool holds it. */
  @Test
  void aStaticAddressBindsOneUpfWhosePoolIsThatAddressAlone() throws Exception {
    controllers.start(Map.of("UPF_POOL_CIDR", "10.9.0.0/23", "UPF_REPLICAS", "0", "UPF_PROFILE", "free5gc"));
    kube.createPod(ns, "ue-static", Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/ue-ip", "10.9.0.7"));
    kube.setReady(ns, "ue-static", true);
    kube.awaitUpf(ns, "upf-ue-static");
    assertEquals("10.9.0.7/32", block("upf-ue-static"));
    await().atMost(Kube.TIMEOUT).ignoreExceptions()
        .until(() -> config("upf-ue-static").getData().get("upfcfg.yaml").contains("cidr: 10.9.0.7/32"));

    // The same address claimed again, one outside the pool, one malformed: a Warning each, no UPF.
    Map<String, String> claims = Map.of("ue-same", "10.9.0.7", "ue-outside", "10.8.0.1", "ue-garbled", "10.9.0.7; rm -rf /");
    for (Map.Entry<String, String> c : claims.entrySet()) {
      kube.createPod(ns, c.getKey(), Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/ue-ip", c.getValue()));
      kube.setReady(ns, c.getKey(), true);
    }
    kube.createReadyUe(ns, "ue-dynamic");
    kube.awaitUpf(ns, "upf-ue-dynamic");
    assertEquals("10.9.0.8/29", block("upf-ue-dynamic"), "the block holding a static address (10.9.0.0/29) is no one else's");
    for (String ue : claims.keySet()) {
      await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, ue, "Warning", "UeAddressInvalid"));
      assertNull(kube.deployment(ns, "upf-" + ue), ue);
    }
    assertTrue(kube.events(ns, "ue-same").stream().anyMatch(e -> e.getMessage().contains("already bound to UPF " + ns + "/upf-ue-static")));

    // The address frees with its UE: the waiting claimant gets it.
    kube.deletePod(ns, "ue-static");
    kube.awaitUpf(ns, "upf-ue-same");
    assertEquals("10.9.0.7/32", block("upf-ue-same"));
  }

  @Test
  void sliceComesFromAnnotationsThenUeYamlThenDefaults() throws Exception {
    controllers.start(Map.of("UPF_REPLICAS", "0", "DEFAULT_SST", "1", "DEFAULT_DNN", "oai"));
    kube.core.createNamespacedConfigMap(ns, new V1ConfigMap().metadata(new V1ObjectMeta().name("ue-file-config"))
        .data(Map.of("ue.yaml", UE_YAML_SLICE_2))).execute();
    createUeMounting("ue-file", "ue-file-config", Map.of());
    createUeMounting("ue-annotated", "ue-file-config", Map.of("nexslice.io/sst", "3", "nexslice.io/dnn", "oai3"));
    kube.createReadyUe(ns, "ue-plain");

    assertEquals("sst=2 sd=FFFFFF dnn=oai2", slice("upf-ue-file"));
    assertEquals("sst=3 sd=FFFFFF dnn=oai3", slice("upf-ue-annotated"));
    assertEquals("sst=1 sd=FFFFFF dnn=oai", slice("upf-ue-plain"));
    assertTrue(config("upf-ue-file").getData().get("config.yaml").contains("dnn: oai2"));

    // The UE's own config changes: its UPF follows, and the pods restart through the checksum.
    String hashBefore = configHash("upf-ue-file");
    kube.core.replaceNamespacedConfigMap("ue-file-config", ns, new V1ConfigMap()
        .metadata(new V1ObjectMeta().name("ue-file-config"))
        .data(Map.of("ue.yaml", UE_YAML_SLICE_2.replace("oai2", "oai3")))).execute();
    await().atMost(Kube.TIMEOUT).until(() -> slice("upf-ue-file").equals("sst=2 sd=FFFFFF dnn=oai3"));
    assertTrue(!hashBefore.equals(configHash("upf-ue-file")));
  }

  private String slice(String upf) {
    return kube.awaitUpf(ns, upf).getMetadata().getAnnotations().get("nexslice.io/slice");
  }

  private String configHash(String upf) throws ApiException {
    return kube.deployment(ns, upf).getSpec().getTemplate().getMetadata().getAnnotations().get("nexslice.io/config-sha256");
  }

  private void createUeMounting(String name, String configMap, Map<String, String> annotations) throws ApiException {
    V1PodSpec spec = new V1PodSpec().containers(List.of(new V1Container().name("ue").image("ueransim:local")
            .volumeMounts(List.of(new V1VolumeMount().name("cfg").mountPath("/etc/ueransim")))))
        .volumes(List.of(new V1Volume().name("cfg").configMap(new V1ConfigMapVolumeSource().name(configMap))));
    spec.setOverhead(null);
    kube.core.createNamespacedPod(ns, new V1Pod().metadata(new V1ObjectMeta().name(name)
        .labels(Map.of(Kube.UE_LABEL, "true")).annotations(annotations)).spec(spec)).execute();
    kube.setReady(ns, name, true);
  }

  @Test
  void invalidSliceValuesGetAWarningAndNoUpfUntilFixed() throws Exception {
    controllers.start(Map.of("UPF_REPLICAS", "0"));
    kube.createPod(ns, "ue-bad", Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/sst", "999"));
    kube.setReady(ns, "ue-bad", true);
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-bad", "Warning", "UeSliceInvalid"));
    assertNull(kube.deployment(ns, "upf-ue-bad"));

    PatchUtils.patch(V1Pod.class, () -> kube.core.patchNamespacedPod("ue-bad", ns,
            new V1Patch("{\"metadata\":{\"annotations\":{\"nexslice.io/sst\":\"2\"}}}"))
        .buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, kube.client);
    assertEquals("sst=2 sd=FFFFFF dnn=oai", slice("upf-ue-bad"));
  }

  @Test
  void annotationsThatTryToChooseImageOrPrivilegesChangeNothing() throws Exception {
    controllers.start(Map.of("UPF_REPLICAS", "0", "UPF_PROFILE", "free5gc", "UPF_IMAGE", "operator.example/upf:7"));
    Map<String, String> hostile = Map.of(
        "nexslice.io/upf-image", "attacker.example/miner:latest",
        "nexslice.io/privileged", "true",
        "nexslice.io/host-network", "true",
        "dynamic-slicing.nexslice.io/capabilities", "SYS_ADMIN");
    kube.createPod(ns, "ue-hostile", Map.of(Kube.UE_LABEL, "true"), hostile);
    kube.setReady(ns, "ue-hostile", true);
    V1Deployment d = kube.awaitUpf(ns, "upf-ue-hostile");
    V1PodSpec pod = d.getSpec().getTemplate().getSpec();
    V1Container c = pod.getContainers().get(0);
    assertEquals("operator.example/upf:7", c.getImage());
    assertNull(c.getSecurityContext().getPrivileged());
    assertEquals(List.of("NET_ADMIN"), c.getSecurityContext().getCapabilities().getAdd());
    assertTrue(pod.getHostNetwork() == null || !pod.getHostNetwork());
    assertTrue(d.toString().indexOf("attacker") < 0 && d.toString().indexOf("SYS_ADMIN") < 0);
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-hostile", "Warning", "UeAnnotationIgnored"));
  }

  @Test
  void eachProfilesPodsAreAcceptedByTheApiServer() throws Exception {
    for (String profile : List.of("oai", "free5gc")) {
      String space = kube.createNamespace("profile-" + profile);
      try (RunningController c = RunningController.start(kube.cluster(), space, Map.of("UPF_PROFILE", profile))) {
        kube.createReadyUe(space, "ue-1");
        kube.awaitUpf(space, "upf-ue-1");
        await().atMost(Kube.TIMEOUT).until(() -> kube.pods(space, "nexslice.io/ue=ue-1").size() == 1);
        assertTrue(kube.core.readNamespacedConfigMap("upf-ue-1", space).execute().getData().size() >= 1);
      } finally {
        kube.deleteNamespace(space);
      }
    }
  }

  @Test
  void theCustomTemplatePathWorksEndToEnd() throws Exception {
    Path template = ClusterBackends.projectRoot().resolve("src/test/resources/profiles/custom-upf.yaml");
    controllers.start(Map.of("UPF_PROFILE", "custom", "UPF_TEMPLATE", template.toString(), "UPF_IMAGE", "example/custom-upf:2"));
    kube.createReadyUe(ns, "ue-custom");
    V1Deployment d = kube.awaitUpf(ns, "upf-ue-custom");
    assertEquals("custom-upf", d.getMetadata().getLabels().get("example.org/kind"));
    assertEquals("example/custom-upf:2", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    String conf = config("upf-ue-custom").getData().get("upf.conf");
    assertTrue(conf.contains("pool=" + block("upf-ue-custom")), conf);
    assertTrue(conf.contains("ue=ue-custom"), conf);
    await().atMost(Kube.TIMEOUT).until(() -> kube.pods(ns, "nexslice.io/ue=ue-custom").size() == 1);
    Set<String> owners = new HashSet<>();
    config("upf-ue-custom").getMetadata().getOwnerReferences().forEach(r -> owners.add(r.getKind() + "/" + r.getName()));
    assertEquals(Set.of("Pod/ue-custom"), owners);
  }

  // ---- Issue #16, OAI: at most UPF_MAX_PER_SLICE (16, the OAI SMF's PFCP association limit) per
  // slice, the rest waiting in Ready order; each UPF routes its slice's SMF pool.

  private static final String SLICE_1 = "sst=1 sd=FFFFFF dnn=oai";

  @Test
  void sixteenUpfsPerSliceTheRestWaitInReadyOrderAcrossARestart() throws Exception {
    Map<String, String> env = Map.of("UPF_REPLICAS", "0"); // the oai profile's default budget: 16
    RunningController c = controllers.start(env);
    for (int i = 0; i < 16; i++) {
      kube.createReadyUe(ns, String.format("ue-%02d", i));
    }
    for (int i = 0; i < 16; i++) {
      kube.awaitUpf(ns, String.format("upf-ue-%02d", i));
    }
    // A UE of another slice is not counted against slice 1.
    kube.createPod(ns, "ue-slice2", Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/sst", "2", "nexslice.io/dnn", "oai2"));
    kube.setReady(ns, "ue-slice2", true);
    kube.awaitUpf(ns, "upf-ue-slice2");

    kube.createReadyUe(ns, "waiter-a");
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "waiter-a", "Warning", "UpfLimitReached"));
    kube.createReadyUe(ns, "waiter-b");
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "waiter-b", "Warning", "UpfLimitReached"));
    CoreV1Event warning = kube.events(ns, "waiter-a").stream()
        .filter(e -> "UpfLimitReached".equals(e.getReason())).findFirst().orElseThrow();
    assertTrue(warning.getMessage().contains("UPF_MAX_PER_SLICE=16") && warning.getMessage().contains(SLICE_1)
        && warning.getMessage().contains(ns), warning.getMessage());
    assertEquals(16, sliceUpfs(SLICE_1));
    assertNull(kube.deployment(ns, "upf-waiter-a"));
    assertNull(kube.deployment(ns, "upf-waiter-b"));
    assertEquals(2.0, metric(c, "dynamic_slicing_slice_ues_waiting", Map.of("dnn", "oai")));
    assertEquals(16.0, metric(c, "dynamic_slicing_slice_upfs", Map.of("dnn", "oai")));
    assertEquals(16.0, metric(c, "dynamic_slicing_slice_upf_limit", Map.of()));

    // A restart in between: the new controller counts the 16 from the cluster, not from memory.
    controllers.stop(c);
    c = controllers.start(env);
    RunningController restarted = c;
    await().atMost(Kube.TIMEOUT).until(() -> metric(restarted, "dynamic_slicing_slice_ues_waiting", Map.of("dnn", "oai")) == 2.0);
    assertEquals(16, sliceUpfs(SLICE_1));
    assertNull(kube.deployment(ns, "upf-waiter-a"));

    // A slot frees: the UE Ready first gets it, the other keeps waiting.
    kube.deletePod(ns, "ue-03");
    kube.awaitUpf(ns, "upf-waiter-a");
    await().atMost(Kube.TIMEOUT).until(() -> kube.deployment(ns, "upf-ue-03") == null);
    assertEquals(16, sliceUpfs(SLICE_1));
    assertNull(kube.deployment(ns, "upf-waiter-b"), "waiter-b became Ready after waiter-a");
    assertEquals(1.0, metric(restarted, "dynamic_slicing_slice_ues_waiting", Map.of("dnn", "oai")));

    kube.deletePod(ns, "ue-07");
    kube.awaitUpf(ns, "upf-waiter-b");
    await().atMost(Kube.TIMEOUT).until(() -> sliceUpfs(SLICE_1) == 16 && kube.deployment(ns, "upf-ue-07") == null);
    assertEquals(0.0, metric(restarted, "dynamic_slicing_slice_ues_waiting", Map.of("dnn", "oai")));
  }

  @Test
  void oaiUpfsRouteTheirSlicesSmfPoolAndTakeNoBlock() throws Exception {
    controllers.start(Map.of("UPF_REPLICAS", "0", "UPF_MAX_PER_SLICE", "0"));
    kube.createReadyUe(ns, "ue-1a");
    kube.createReadyUe(ns, "ue-1b");
    kube.createPod(ns, "ue-3", Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/sst", "3", "nexslice.io/dnn", "oai3"));
    kube.setReady(ns, "ue-3", true);
    kube.createPod(ns, "ue-odd", Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/dnn", "internet"));
    kube.setReady(ns, "ue-odd", true);

    for (String ue : List.of("ue-1a", "ue-1b")) {
      V1Deployment d = kube.awaitUpf(ns, "upf-" + ue);
      assertEquals("12.1.1.0/24", d.getMetadata().getAnnotations().get("nexslice.io/ue-pool"));
      assertTrue(oaiConfig("upf-" + ue).contains("ipv4_subnet: 12.1.1.0/24"), oaiConfig("upf-" + ue));
    }
    kube.awaitUpf(ns, "upf-ue-3");
    String slice3 = oaiConfig("upf-ue-3");
    assertTrue(slice3.contains("ipv4_subnet: 12.1.3.0/24") && slice3.contains("host: oai-nrf2"), slice3);

    // A DNN whose SMF pool the operator did not give: no UPF that would route a wrong subnet.
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-odd", "Warning", "UeSubnetUnknown"));
    assertNull(kube.deployment(ns, "upf-ue-odd"));
  }

  private String oaiConfig(String upf) {
    return await().atMost(Kube.TIMEOUT).ignoreExceptions()
        .until(() -> kube.core.readNamespacedConfigMap(upf, ns).execute().getData().get("config.yaml"), s -> s != null);
  }

  private int sliceUpfs(String slice) throws ApiException {
    return (int) kube.deployments(ns).stream()
        .filter(d -> d.getMetadata().getAnnotations() != null
            && slice.equals(d.getMetadata().getAnnotations().get("nexslice.io/slice")))
        .count();
  }

  /** The sum of the samples of {@code name} with {@code labels}; fails when there is none. */
  private static double metric(RunningController c, String name, Map<String, String> labels) throws Exception {
    return MetricsText.sample(c.get("/metrics").body(), name, labels);
  }
}
