package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.Yaml;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.testing.MetricsText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue #6: installable manifests, least-privilege RBAC, leader election, metrics and status API. */
@ExtendWith(ClusterExtension.class)
class ClusterInstallIT {
  static final Map<String, String> FAST_LEASE = Map.of("LEADER_ELECTION", "true", "LEASE_DURATION_SECONDS", "4",
      "RENEW_DEADLINE_SECONDS", "2", "RETRY_PERIOD_SECONDS", "1", "UPF_REPLICAS", "0");

  private Kube kube;
  private String ns;
  private Controllers controllers;

  @BeforeEach
  void setUp(Kube kube) throws Exception {
    this.kube = kube;
    this.ns = kube.createNamespace("install");
    this.controllers = new Controllers(kube.cluster(), ns);
  }

  @AfterEach
  void tearDown() {
    controllers.close();
    kube.deleteNamespace(ns);
  }

  private String kubectl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ClusterBackends.kubectl(), "--kubeconfig", kube.cluster().kubeconfig().toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + "\n" + out);
    return out;
  }

  /** An overlay of {@code base} that puts everything in the test namespace (the base names nexslice). */
  private Path overlay(String base) throws IOException {
    Path root = ClusterBackends.projectRoot();
    Path dir = Files.createDirectories(root.resolve("target/kustomize-" + ns + "-" + base.replace('/', '-')));
    Files.writeString(dir.resolve("kustomization.yaml"), "namespace: " + ns + "\nbases:\n  - "
        + dir.relativize(root.resolve(base)) + "\n");
    return dir;
  }

  @Test
  void theManifestsAndTheOverlayAreAcceptedByTheApiServer() throws Exception {
    String out = kubectl("apply", "--dry-run=server", "-k", overlay("manifests").toString());
    for (String expected : List.of("serviceaccount/dynamic-slicing", "role.rbac.authorization.k8s.io/dynamic-slicing",
        "rolebinding.rbac.authorization.k8s.io/dynamic-slicing", "deployment.apps/dynamic-slicing",
        "service/dynamic-slicing-metrics")) {
      assertTrue(out.contains(expected), out);
    }
    assertFalse(out.contains("namespace/"), "the testbed's namespace is not ours to create: " + out);
    out = kubectl("apply", "--dry-run=server", "-k", overlay("manifests/overlays/all-namespaces").toString());
    assertTrue(out.contains("clusterrole.rbac.authorization.k8s.io/dynamic-slicing"), out);
    assertTrue(out.contains("clusterrolebinding.rbac.authorization.k8s.io/dynamic-slicing"), out);
  }

  @Test
  void withOnlyTheShippedRoleTheControllerDoesItsWholeJobAndNothingMore() throws Exception {
    V1Role role = Yaml.loadAs(ClusterBackends.projectRoot().resolve("manifests/role.yaml").toFile(), V1Role.class);
    role.getMetadata().namespace(ns);
    RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(kube.client);
    rbac.createNamespacedRole(ns, role).execute();
    rbac.createNamespacedRoleBinding(ns, new V1RoleBinding().metadata(new V1ObjectMeta().name("dynamic-slicing"))
        .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("Role").name("dynamic-slicing"))
        .subjects(List.of(new RbacV1Subject().kind("User").apiGroup("rbac.authorization.k8s.io")
            .name(kube.cluster().unboundUser())))).execute();

    Map<String, String> env = RunningController.env(kube.cluster(), ns, FAST_LEASE);
    RunningController c = RunningController.startWith(ControllerConfig.fromEnvironment(env),
        kube.cluster().unboundClient(), RunningController.withoutReadTimeout(kube.cluster().unboundClient()));
    controllers.add(c);
    await().atMost(Kube.TIMEOUT).until(() -> c.app().isLeader() && c.app().controller().hasSynced());

    kube.createReadyUe(ns, "ue-rbac");
    kube.awaitUpf(ns, "upf-ue-rbac");
    assertTrue(kube.core.readNamespacedConfigMap("upf-ue-rbac", ns).execute() != null);
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-rbac", "Normal", "UpfCreated"));
    // A mark the UE's owner wrote while its UPF has no available replica (no kubelet here) is
    // removed with the Role's rights (patch on pods); nothing else of the pod is touched.
    V1Patch handMark = new V1Patch(
        "{\"metadata\":{\"annotations\":{\"nexslice.io/upf\":\"upf-ue-rbac\",\"nexslice.io/upf-ready\":\"true\",\"owner\":\"kept\"}}}");
    PatchUtils.patch(V1Pod.class, () -> kube.core.patchNamespacedPod("ue-rbac", ns, handMark).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, kube.client);
    await().atMost(Kube.TIMEOUT).until(() -> {
      Map<String, String> ann = kube.core.readNamespacedPod("ue-rbac", ns).execute().getMetadata().getAnnotations();
      return ann != null && !ann.containsKey("nexslice.io/upf") && !ann.containsKey("nexslice.io/upf-ready");
    });
    assertEquals("kept", kube.core.readNamespacedPod("ue-rbac", ns).execute().getMetadata().getAnnotations().get("owner"));
    kube.apps.deleteNamespacedDeployment("upf-ue-rbac", ns).execute();
    kube.awaitUpf(ns, "upf-ue-rbac"); // restored with the Role's rights
    kube.deletePod(ns, "ue-rbac");
    kube.awaitNoUpf(ns, "upf-ue-rbac");

    CoreV1Api asController = new CoreV1Api(kube.cluster().unboundClient());
    for (ThrowingCall call : List.<ThrowingCall>of(
        () -> asController.listNamespacedSecret(ns).execute(),
        () -> asController.deleteCollectionNamespacedPod(ns).execute(),
        () -> asController.listPodForAllNamespaces().execute(),
        () -> asController.listNamespace().execute(),
        () -> asController.createNamespacedPod(ns, new V1Pod()
            .metadata(new V1ObjectMeta().name("x"))).execute())) {
      ApiException e = assertThrows(ApiException.class, call::run);
      assertEquals(403, e.getCode(), e.getResponseBody());
    }
  }

  interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void exactlyOneInstanceReconcilesAndAStandbyTakesOverWithinTheLease() throws Exception {
    RunningController a = RunningController.start(kube.cluster(), ns, FAST_LEASE);
    RunningController b = RunningController.start(kube.cluster(), ns, FAST_LEASE);
    controllers.add(a);
    controllers.add(b);
    await().atMost(Kube.TIMEOUT).until(() -> a.app().isLeader() ^ b.app().isLeader());
    RunningController leader = a.app().isLeader() ? a : b;
    RunningController standby = leader == a ? b : a;
    assertEquals(0, MetricsText.sample(standby.get("/metrics").body(), "dynamic_slicing_leader", Map.of()), 0.0);

    Map<String, String> firstUids = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      kube.createReadyUe(ns, "ue-" + i);
    }
    for (int i = 0; i < 5; i++) {
      firstUids.put("upf-ue-" + i, kube.awaitUpf(ns, "upf-ue-" + i).getMetadata().getUid());
    }
    // Warm standby: it keeps its own synced cache (its status API sees the 5 UEs) and writes nothing.
    await().atMost(Kube.TIMEOUT).until(() -> standby.get("/api/ue-count").body().replaceAll("\\s", "").equals("{\"count\":5}"));
    assertTrue(standby.app().isReady(), "a standby with synced caches is ready");
    assertFalse(standby.get("/metrics").body().lines().anyMatch(l -> l.startsWith("dynamic_slicing_reconcile_total{")),
        "a standby reconciles nothing");

    long stoppedAt = System.nanoTime();
    leader.close(); // a clean stop gives the lease up: the standby need not wait for it to expire
    for (int i = 5; i < 10; i++) {
      kube.createReadyUe(ns, "ue-" + i); // attaches during the hand-over
    }
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> standby.app().isLeader());
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
    // The standby sees the release through its watch and looks every 50 ms: about 0.3 s here.
    // 1.5 s leaves room for a loaded 2-core machine and still fails a standby that polled the API
    // at the retry period (1 s here: 2-3 s measured that way). P6 measures it on the installed Deployment.
    assertTrue(tookMs < 1_500, "took over in " + tookMs + " ms after a clean stop");
    for (int i = 0; i < 10; i++) {
      kube.awaitUpf(ns, "upf-ue-" + i);
    }
    assertEquals(10, kube.deployments(ns).size(), "one UPF per UE, none twice");
    for (Map.Entry<String, String> e : firstUids.entrySet()) {
      assertEquals(e.getValue(), kube.deployment(ns, e.getKey()).getMetadata().getUid(), "not recreated: " + e.getKey());
    }
  }

  @Test
  void aStandbyTakesOverFromACrashedLeaderOnceTheLeaseExpires() throws Exception {
    Path log = Files.createTempFile("ds-leader", ".log");
    Map<String, String> env = new HashMap<>(RunningController.env(kube.cluster(), ns, FAST_LEASE));
    env.put("HTTP_PORT", Integer.toString(MainProcessIT.freePort()));
    env.put("POD_NAME", "crashing-leader");
    Process crashing = MainProcessIT.launch(env, log);
    try {
      CoordinationV1Api coordination = new CoordinationV1Api(kube.client);
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "crashing-leader".equals(
          coordination.readNamespacedLease("dynamic-slicing", ns).execute().getSpec().getHolderIdentity()));
      kube.createReadyUe(ns, "ue-before");
      kube.awaitUpf(ns, "upf-ue-before");
      RunningController standby = RunningController.start(kube.cluster(), ns, FAST_LEASE);
      controllers.add(standby);
      assertFalse(standby.app().isLeader());
      // The holder writes its renewal every retry period (1 s), not at every 50 ms poll: over 3 s
      // the Lease changes about 3 times (60 if every poll wrote), and the standby never writes it.
      Set<String> versions = new HashSet<>();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < until) {
        V1Lease seen = coordination.readNamespacedLease("dynamic-slicing", ns).execute();
        assertEquals("crashing-leader", seen.getSpec().getHolderIdentity());
        versions.add(seen.getMetadata().getResourceVersion());
        Thread.sleep(50); // sampling the Lease, not waiting for a condition
      }
      assertTrue(versions.size() >= 2 && versions.size() <= 6, "Lease writes in 3 s: " + (versions.size() - 1));

      long killedAt = System.nanoTime();
      new ProcessBuilder("kill", "-9", Long.toString(crashing.pid())).start().waitFor();
      kube.createReadyUe(ns, "ue-after");
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> standby.app().isLeader());
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      // The last renewal was at most a retry period (1 s) before the kill, so the lease (4 s)
      // cannot have expired before 3 s; the standby then needs at most two polls (0.05-0.11 s each)
      // and one write. Lease + 1 s is the goal of issue 17 (P6).
      assertTrue(tookMs >= 2_800, "waited for the lease (4 s) to expire, took " + tookMs + " ms");
      assertTrue(tookMs < 4_000 + 1_000, "took over " + tookMs + " ms after the crash (lease 4 s)");
      kube.awaitUpf(ns, "upf-ue-after");
      assertEquals(2, kube.deployments(ns).size());
    } finally {
      crashing.destroyForcibly();
    }
  }

  /**
   * A rollout or {@code kubectl delete pod}: the API server marks the leader's pod long before the
   * kubelet sends SIGTERM (0.5 s on the full local cluster, P6). The leader watches its own pod and
   * gives the lease up at the mark. Here no kubelet ever sends SIGTERM and a finalizer holds the
   * pod, so only that watch can hand over; the lease (15 s) cannot expire within the bound.
   */
  @Test
  void aLeaderWhosePodIsBeingDeletedHandsOverWithoutWaitingForSigterm() throws Exception {
    String finalizer = "test.nexslice.io/hold";
    V1PodSpec spec = new V1PodSpec().containers(List.of(new V1Container().name("controller").image("dynamic-slicing:0.1.0")));
    spec.setOverhead(null); // the client sends {} otherwise, which a 1.20 server refuses (see Kube.createPod)
    V1Pod own = new V1Pod().metadata(new V1ObjectMeta().name("leader-pod").namespace(ns).finalizers(List.of(finalizer)))
        .spec(spec);
    CoreV1Api core = new CoreV1Api(kube.client);
    core.createNamespacedPod(ns, own).execute();
    Map<String, String> env = Map.of("LEADER_ELECTION", "true", "UPF_REPLICAS", "0");
    Map<String, String> leaderEnv = new HashMap<>(env);
    leaderEnv.put("POD_NAME", "leader-pod");
    leaderEnv.put("POD_NAMESPACE", ns);
    try {
      RunningController leader = RunningController.start(kube.cluster(), ns, leaderEnv);
      controllers.add(leader);
      await().atMost(Kube.TIMEOUT).until(() -> leader.app().isLeader());
      RunningController standby = RunningController.start(kube.cluster(), ns, env);
      controllers.add(standby);
      kube.createReadyUe(ns, "ue-before");
      kube.awaitUpf(ns, "upf-ue-before");

      long deletedAt = System.nanoTime();
      core.deleteNamespacedPod("leader-pod", ns).gracePeriodSeconds(30).execute();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> standby.app().isLeader());
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deletedAt);
      assertTrue(tookMs < 3_000, "handed over " + tookMs + " ms after the pod was marked (a lease expiry takes 15 s)");
      assertNotNull(core.readNamespacedPod("leader-pod", ns).execute().getMetadata().getDeletionTimestamp());
      // Stepped down, not stopped: no longer leading or ready, still serving its endpoints until SIGTERM.
      assertFalse(leader.app().isLeader());
      assertFalse(leader.app().isReady());
      assertEquals(200, leader.get("/healthz").statusCode());
      assertFalse(leader.lostLeadership(), "a step-down is not a lost lease: the process does not exit on its own");
      kube.createReadyUe(ns, "ue-after");
      kube.awaitUpf(ns, "upf-ue-after");
      assertEquals(2, kube.deployments(ns).size());
    } finally {
      PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPod("leader-pod", ns,
          new V1Patch("{\"metadata\":{\"finalizers\":null}}")).buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, kube.client);
    }
  }

  @Test
  void losingTheLeaseStopsReconcilingAtOnce() throws Exception {
    RunningController c = RunningController.start(kube.cluster(), ns, FAST_LEASE);
    controllers.add(c);
    await().atMost(Kube.TIMEOUT).until(() -> c.app().isLeader());
    CoordinationV1Api coordination = new CoordinationV1Api(kube.client);
    // Read-modify-write, retried: the leader renews every second and a stale write gets 409.
    await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> {
      V1Lease lease = coordination.readNamespacedLease("dynamic-slicing", ns).execute();
      lease.getSpec().holderIdentity("intruder").leaseDurationSeconds(300).renewTime(OffsetDateTime.now());
      coordination.replaceNamespacedLease("dynamic-slicing", ns, lease).execute();
      return true;
    });

    await().atMost(Duration.ofSeconds(10)).until(() -> !c.app().isLeader() && c.lostLeadership());
    kube.createReadyUe(ns, "ue-unserved");
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> kube.deployment(ns, "upf-ue-unserved") == null);
  }

  /**
   * The attach latency is timed from the Ready event the controller saw, not from the condition's
   * lastTransitionTime (1 s resolution). A status that claims the UE turned Ready a minute ago
   * tells them apart: timed from the condition, the one attach would read 60 s or more.
   */
  @Test
  void attachLatencyIsTimedFromTheReadyTransitionTheControllerSaw() throws Exception {
    RunningController c = RunningController.start(kube.cluster(), ns, Map.of("UPF_REPLICAS", "0"));
    controllers.add(c);
    kube.createUePod(ns, "ue-late");
    kube.setReady(ns, "ue-late", true, OffsetDateTime.now().minusMinutes(1));
    kube.awaitUpf(ns, "upf-ue-late");
    await().atMost(Kube.TIMEOUT).untilAsserted(() -> {
      String m = c.get("/metrics").body();
      assertEquals(1, MetricsText.sample(m, "dynamic_slicing_attach_latency_seconds_count", Map.of()), 0.0);
      double seconds = MetricsText.sample(m, "dynamic_slicing_attach_latency_seconds_sum", Map.of());
      assertTrue(seconds < 5, "one attach timed at " + seconds + " s");
    });
  }

  @Test
  void metricsAndTheStatusApiAgreeWithTheCluster() throws Exception {
    RunningController c = RunningController.start(kube.cluster(), ns, Map.of("UPF_REPLICAS", "0"));
    controllers.add(c);
    kube.createReadyUe(ns, "ue-1");
    kube.createReadyUe(ns, "ue-2");
    kube.createPod(ns, "ue-3", Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/sst", "2", "nexslice.io/dnn", "oai2"));
    kube.setReady(ns, "ue-3", true);
    for (String ue : List.of("ue-1", "ue-2", "ue-3")) {
      kube.awaitUpf(ns, "upf-" + ue);
    }
    await().atMost(Kube.TIMEOUT).untilAsserted(() -> {
      String m = c.get("/metrics").body();
      assertEquals(2, MetricsText.sample(m, "dynamic_slicing_ues_attached", Map.of("namespace", ns, "sst", "1", "dnn", "oai")), 0.0);
      assertEquals(1, MetricsText.sample(m, "dynamic_slicing_ues_attached", Map.of("namespace", ns, "sst", "2", "dnn", "oai2")), 0.0);
      assertEquals(3, MetricsText.sample(m, "dynamic_slicing_upfs", Map.of("namespace", ns, "profile", "oai", "mode", "per-ue")), 0.0);
      assertEquals(3, MetricsText.sample(m, "dynamic_slicing_attach_latency_seconds_count", Map.of()), 0.0);
      // ue-3 turned Ready under the controller's watch: its attach is split into phases, each
      // attach timed so has all three, and together they fit in the attach latency.
      double timed = MetricsText.sample(m, "dynamic_slicing_attach_phase_seconds_count", Map.of("phase", "queued"));
      assertTrue(timed >= 1, "attaches timed by phase: " + timed);
      assertEquals(timed, MetricsText.sample(m, "dynamic_slicing_attach_phase_seconds_count", Map.of("phase", "written")), 0.0);
      double phases = MetricsText.sample(m, "dynamic_slicing_attach_phase_seconds_sum", Map.of());
      assertTrue(phases > 0 && phases <= MetricsText.sample(m, "dynamic_slicing_attach_latency_seconds_sum", Map.of()),
          "phases " + phases + " s within the attach latency");
      assertTrue(MetricsText.sample(m, "dynamic_slicing_reconcile_total", Map.of("result", "success")) >= 3);
      assertEquals(1, MetricsText.sample(m, "dynamic_slicing_leader", Map.of()), 0.0);
      assertTrue(m.contains("jvm_memory_bytes_used{area=\"heap\""), "JVM metrics");
      assertTrue(m.contains("dynamic_slicing_workqueue_depth{namespace=\"" + ns + "\""));
    });
    assertUeCount(c, 3);
    JsonObject ues = JsonParser.parseString(c.get("/api/ues").body()).getAsJsonObject();
    JsonObject first = ues.getAsJsonArray("ues").asList().stream().map(e -> e.getAsJsonObject())
        .filter(o -> o.get("pod").getAsString().equals("ue-3")).findFirst().orElseThrow();
    assertEquals("2", first.getAsJsonObject("slice").get("sst").getAsString());
    assertEquals("upf-ue-3", first.getAsJsonObject("upf").get("deployment").getAsString());
    assertEquals("upf-ue-3", first.getAsJsonObject("upf").get("service").getAsString());
    assertTrue(first.get("since").getAsString().startsWith("20"));

    kube.deletePod(ns, "ue-2");
    kube.awaitNoUpf(ns, "upf-ue-2");
    await().atMost(Kube.TIMEOUT).untilAsserted(() -> assertUeCount(c, 2));
  }

  private static void assertUeCount(RunningController c, int n) throws Exception {
    assertEquals(n, JsonParser.parseString(c.get("/api/ue-count").body()).getAsJsonObject().get("count").getAsInt());
    assertEquals(n, JsonParser.parseString(c.get("/api/ues").body()).getAsJsonObject().get("count").getAsInt());
    assertEquals(n, JsonParser.parseString(c.get("/api/ues").body()).getAsJsonObject().getAsJsonArray("ues").size());
  }
}
