package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.nexslice.dynamicslicing.testing.MetricsText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue #5: one shared UPF per (namespace, S-NSSAI, DNN), alive while any of its UEs is attached. */
@ExtendWith(ClusterExtension.class)
class SliceModeIT {
  static final String SLICE1 = "upf-sst1-ffffff-oai";
  static final String SLICE2 = "upf-sst2-ffffff-oai2";
  static final Map<String, String> PER_SLICE = Map.of("UPF_MODE", "per-slice", "UPF_REPLICAS", "0");

  private Kube kube;
  private String ns;
  private Controllers controllers;

  @BeforeEach
  void setUp(Kube kube) throws Exception {
    this.kube = kube;
    this.ns = kube.createNamespace("slices");
    this.controllers = new Controllers(kube.cluster(), ns);
  }

  @AfterEach
  void tearDown() {
    controllers.close();
    kube.deleteNamespace(ns);
  }



  private void ue(String name, int sst) throws ApiException {
    Map<String, String> ann = sst == 1 ? Map.of() : Map.of("nexslice.io/sst", "" + sst, "nexslice.io/dnn", "oai" + sst);
    kube.createPod(ns, name, Map.of(Kube.UE_LABEL, "true"), ann);
    kube.setReady(ns, name, true);
  }

  private Set<String> owners(String upf) throws ApiException {
    V1Deployment d = kube.deployment(ns, upf);
    return d == null ? Set.of() : d.getMetadata().getOwnerReferences().stream()
        .map(V1OwnerReference::getName).collect(Collectors.toCollection(TreeSet::new));
  }

  private void awaitOwners(String upf, String... names) {
    await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> owners(upf).equals(new TreeSet<>(List.of(names))));
  }

  /** Issue #21: /metrics says which UEs wait for a UPF and why, in per-slice mode as in per-UE mode. */
  @Test
  void uesOfASliceWithoutABlockShowAsWaitingUntilOneFrees() throws Exception {
    // Slice UPFs take a /24 each (the per-slice default): this pool holds one, so the second slice's UPF cannot be made.
    RunningController c = controllers.start(Map.of("UPF_MODE", "per-slice", "UPF_REPLICAS", "0",
        "UPF_PROFILE", "free5gc", "UPF_POOL_CIDR", "10.9.0.0/24"));
    ue("ue-a", 1);
    kube.awaitUpf(ns, SLICE1);
    ue("ue-b", 2);
    ue("ue-c", 2);
    kube.createPod(ns, "ue-bad", Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/sst", "not-a-number"));
    kube.setReady(ns, "ue-bad", true);
    Map<String, String> pool = Map.of("namespace", ns, "reason", "UpfPoolExhausted");
    await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> {
      String m = c.get("/metrics").body();
      return MetricsText.sample(m, "dynamic_slicing_ues_waiting", pool) == 2
          && MetricsText.sample(m, "dynamic_slicing_ues_waiting", Map.of("namespace", ns, "reason", "UeSliceInvalid")) == 1;
    });
    // The longest waiter is named: Ready first, or, within the same second, first by name.
    String m = c.get("/metrics").body();
    MetricsText.sample(m, "dynamic_slicing_ue_longest_wait_seconds", Map.of("namespace", ns, "reason", "UpfPoolExhausted",
        "ue", "ue-b"));
    assertTrue(m.lines().filter(l -> l.startsWith("dynamic_slicing_ues_waiting{") && l.contains("reason=\"Pending\""))
        .allMatch(l -> l.endsWith(" 0.0")), "every waiting UE has its reason");

    kube.deletePod(ns, "ue-a");
    kube.awaitUpf(ns, SLICE2);
    await().atMost(Kube.TIMEOUT).until(() -> MetricsText.sample(c.get("/metrics").body(), "dynamic_slicing_ues_waiting",
        pool) == 0);
  }

  @Test
  void threeUesInSliceOneAndTwoInSliceTwoGetExactlyTwoUpfs() throws Exception {
    controllers.start(PER_SLICE);
    ue("ue-a", 1);
    ue("ue-b", 1);
    ue("ue-c", 1);
    ue("ue-d", 2);
    ue("ue-e", 2);
    awaitOwners(SLICE1, "ue-a", "ue-b", "ue-c");
    awaitOwners(SLICE2, "ue-d", "ue-e");
    kube.awaitUpf(ns, SLICE1);
    kube.awaitUpf(ns, SLICE2);
    assertEquals(2, kube.deployments(ns).size());
    assertEquals(2, kube.services(ns).size());
    V1Deployment d = kube.deployment(ns, SLICE1);
    assertEquals("ue-a,ue-b,ue-c", d.getMetadata().getAnnotations().get("nexslice.io/ues"));
    assertEquals("sst=1 sd=FFFFFF dnn=oai", d.getMetadata().getAnnotations().get("nexslice.io/slice"));
    assertEquals(false, d.getMetadata().getOwnerReferences().stream().anyMatch(r -> Boolean.TRUE.equals(r.getController())));
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-b", "Normal", "UeJoinedSliceUpf"));
  }

  @Test
  void theSharedUpfStaysUntilTheLastUeLeavesAndOptOutLeavesTheGroup() throws Exception {
    controllers.start(PER_SLICE);
    ue("ue-1", 1);
    ue("ue-2", 1);
    ue("ue-3", 1);
    awaitOwners(SLICE1, "ue-1", "ue-2", "ue-3");
    String uid = kube.deployment(ns, SLICE1).getMetadata().getUid();

    kube.labelPod(ns, "ue-2", Kube.UE_LABEL, null); // opt-out
    awaitOwners(SLICE1, "ue-1", "ue-3");
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-2", "Normal", "UeLeftSliceUpf"));
    kube.deletePod(ns, "ue-1");
    awaitOwners(SLICE1, "ue-3");
    assertEquals(uid, kube.deployment(ns, SLICE1).getMetadata().getUid(), "same UPF throughout");
    kube.deletePod(ns, "ue-3");
    kube.awaitNoUpf(ns, SLICE1);
  }

  /**
   * The garbage collector's part, with no controller running: the shared UPF has one owner
   * reference per UE, so it stays while one owner lives and goes with the last. (The local control
   * plane runs no garbage collector, see TestCluster: this test starts one.)
   */
  @Test
  void theGarbageCollectorRemovesTheUpfWhenAllUesGoWhileTheControllerIsDown() throws Exception {
    RunningController c = controllers.start(PER_SLICE);
    ue("ue-x", 2);
    ue("ue-y", 2);
    awaitOwners(SLICE2, "ue-x", "ue-y");
    String uid = kube.deployment(ns, SLICE2).getMetadata().getUid();
    controllers.stop(c);
    try (AutoCloseable gc = kube.startGarbageCollector()) {
      kube.deletePod(ns, "ue-x");
      // Kept: the collector dropped the dangling owner reference (so it has looked at the UPF)
      // and left the object, which still has a live owner.
      awaitOwners(SLICE2, "ue-y");
      assertEquals(uid, kube.deployment(ns, SLICE2).getMetadata().getUid(), "kept, not re-created");
      kube.deletePod(ns, "ue-y");
      kube.awaitNoUpf(ns, SLICE2);
    }
  }

  @Test
  void twentyUesOfOneSliceAtOnceWithFourWorkersGetOneUpf() throws Exception {
    controllers.start(Map.of("UPF_MODE", "per-slice", "UPF_REPLICAS", "0", "WORKER_COUNT", "4"));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      names.add(String.format("ue-%02d", i));
      kube.createPod(ns, names.get(i), Map.of(Kube.UE_LABEL, "true"), Map.of());
    }
    for (String n : names) {
      kube.setReady(ns, n, true);
    }
    awaitOwners(SLICE1, names.toArray(String[]::new));
    assertEquals(1, kube.deployments(ns).size());
    assertEquals("20", kube.deployment(ns, SLICE1).getMetadata().getAnnotations().get("nexslice.io/ue-count"));
  }

  @Test
  void replicasFollowTheUeCountWithinTheBound() throws Exception {
    controllers.start(Map.of("UPF_MODE", "per-slice", "UPF_UES_PER_REPLICA", "2", "UPF_MAX_REPLICAS", "3"));
    ue("ue-1", 1);
    await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> kube.deployment(ns, SLICE1).getSpec().getReplicas() == 1);
    ue("ue-2", 1);
    ue("ue-3", 1);
    await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> kube.deployment(ns, SLICE1).getSpec().getReplicas() == 2);
    for (int i = 4; i <= 9; i++) {
      ue("ue-" + i, 1);
    }
    awaitOwners(SLICE1, "ue-1", "ue-2", "ue-3", "ue-4", "ue-5", "ue-6", "ue-7", "ue-8", "ue-9");
    assertEquals(3, kube.deployment(ns, SLICE1).getSpec().getReplicas(), "bounded by UPF_MAX_REPLICAS");
    kube.deletePod(ns, "ue-9");
    for (int i = 3; i <= 8; i++) {
      kube.deletePod(ns, "ue-" + i);
    }
    await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> kube.deployment(ns, SLICE1).getSpec().getReplicas() == 1);
  }

  @Test
  void switchingModesConvergesBothWaysWithoutOrphans() throws Exception {
    RunningController perUe = controllers.start(Map.of("UPF_REPLICAS", "0"));
    ue("ue-p", 1);
    ue("ue-q", 1);
    kube.awaitUpf(ns, "upf-ue-p");
    kube.awaitUpf(ns, "upf-ue-q");
    controllers.stop(perUe);

    RunningController perSlice = controllers.start(PER_SLICE);
    awaitOwners(SLICE1, "ue-p", "ue-q");
    kube.awaitNoUpf(ns, "upf-ue-p");
    kube.awaitNoUpf(ns, "upf-ue-q");
    assertEquals(Set.of(SLICE1), names());
    controllers.stop(perSlice);

    controllers.start(Map.of("UPF_REPLICAS", "0"));
    kube.awaitUpf(ns, "upf-ue-p");
    kube.awaitUpf(ns, "upf-ue-q");
    kube.awaitNoUpf(ns, SLICE1);
    assertEquals(Set.of("upf-ue-p", "upf-ue-q"), names());
    Map<String, Integer> configMaps = new HashMap<>();
    kube.core.listNamespacedConfigMap(ns).execute().getItems()
        .forEach(c -> configMaps.merge(c.getMetadata().getName(), 1, Integer::sum));
    assertNotNull(configMaps.get("upf-ue-p"));
    assertEquals(null, configMaps.get(SLICE1), "no orphaned config");
  }

  private Set<String> names() throws ApiException {
    Set<String> out = new TreeSet<>();
    kube.deployments(ns).forEach(d -> out.add(d.getMetadata().getName()));
    kube.services(ns).forEach(s -> out.add(s.getMetadata().getName()));
    return out;
  }
}
