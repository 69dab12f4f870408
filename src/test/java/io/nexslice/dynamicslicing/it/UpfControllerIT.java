package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.util.PatchUtils;
import io.nexslice.dynamicslicing.model.UpfNames;
import io.nexslice.dynamicslicing.testing.MetricsText;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The attach/detach behaviour of issue #3, checked as cluster state on a real API server. */
@ExtendWith(ClusterExtension.class)
class UpfControllerIT {
  private Kube kube;
  private String ns;
  private RunningController controller;

  @BeforeEach
  void setUp(Kube kube) throws Exception {
    this.kube = kube;
    this.ns = kube.createNamespace("upf");
    this.controller = RunningController.start(kube.cluster(), ns,
        Map.of("UPF_IMAGE", "registry.example/upf:1.2", "UPF_REPLICAS", "2"));
  }

  @AfterEach
  void tearDown() {
    if (controller != null) {
      controller.close();
    }
    kube.deleteNamespace(ns);
  }

  /**
   * Proves the controller has worked through everything queued before: a Ready UE created now
   * gets its UPF only after earlier events were handled. Used before asserting that nothing happened.
   */
  private void sentinel(String name) throws ApiException {
    kube.createReadyUe(ns, name);
    kube.awaitUpf(ns, "upf-" + name);
  }

  @Test
  void aPodThatIsNotReadyGetsNothing() throws ApiException {
    kube.createUePod(ns, "ue-waiting");
    sentinel("ue-sentinel");
    assertNull(kube.deployment(ns, "upf-ue-waiting"));
    assertNull(kube.service(ns, "upf-ue-waiting"));
  }

  @Test
  void aReadyUeGetsItsDeploymentAndServiceWithTheConfiguredImageAndReplicas() throws Exception {
    V1Pod pod = kube.createReadyUe(ns, "ueransim-ue1");
    V1Deployment d = kube.awaitUpf(ns, "upf-ueransim-ue1");
    V1Service s = kube.service(ns, "upf-ueransim-ue1");

    assertEquals(2, d.getSpec().getReplicas());
    assertEquals("registry.example/upf:1.2", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    for (V1ObjectMeta meta : List.of(d.getMetadata(), s.getMetadata())) {
      V1OwnerReference ref = meta.getOwnerReferences().get(0);
      assertEquals(pod.getMetadata().getUid(), ref.getUid());
      assertTrue(ref.getController());
      assertEquals("dynamic-slicing", meta.getLabels().get("app.kubernetes.io/managed-by"));
      assertEquals("ueransim-ue1", meta.getLabels().get("nexslice.io/ue"));
    }
    assertTrue(kube.deploymentManagers(ns, "upf-ueransim-ue1").contains("dynamic-slicing/Apply"));
    assertTrue(kube.serviceManagers(ns, "upf-ueransim-ue1").contains("dynamic-slicing/Apply"));
    assertEquals(List.of("8805/UDP", "2152/UDP", "80/TCP"), // PFCP, GTP-U, and SBI for the OAI profile
        s.getSpec().getPorts().stream().map(p -> p.getPort() + "/" + p.getProtocol()).toList());
    // The template is one the real API server accepts: the ReplicaSet controller makes its pods.
    await().atMost(Kube.TIMEOUT).until(() -> kube.pods(ns, "nexslice.io/ue=ueransim-ue1").size() == 2);
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ueransim-ue1", "Normal", "UpfCreated"));
  }

  @Test
  void readinessFlappingKeepsTheSameObjects() throws ApiException {
    kube.createReadyUe(ns, "ue-flap");
    String deploymentUid = kube.awaitUpf(ns, "upf-ue-flap").getMetadata().getUid();
    String serviceUid = kube.service(ns, "upf-ue-flap").getMetadata().getUid();

    kube.setReady(ns, "ue-flap", false);
    sentinel("ue-sentinel-1");
    assertEquals(deploymentUid, kube.deployment(ns, "upf-ue-flap").getMetadata().getUid());

    kube.setReady(ns, "ue-flap", true);
    sentinel("ue-sentinel-2");
    assertEquals(deploymentUid, kube.deployment(ns, "upf-ue-flap").getMetadata().getUid());
    assertEquals(serviceUid, kube.service(ns, "upf-ue-flap").getMetadata().getUid());
  }

  @Test
  void aDeletedUpfDeploymentAndServiceComeBack() throws ApiException {
    kube.createReadyUe(ns, "ue-restore");
    String oldUid = kube.awaitUpf(ns, "upf-ue-restore").getMetadata().getUid();
    kube.apps.deleteNamespacedDeployment("upf-ue-restore", ns).execute();
    kube.deleteService(ns, "upf-ue-restore");
    await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> {
      V1Deployment d = kube.deployment(ns, "upf-ue-restore");
      return d != null && !d.getMetadata().getUid().equals(oldUid) && kube.service(ns, "upf-ue-restore") != null;
    });
  }

  @Test
  void anEditedUpfIsRestored() throws ApiException {
    kube.createReadyUe(ns, "ue-edit");
    kube.awaitUpf(ns, "upf-ue-edit");
    PatchUtils.patch(V1Deployment.class, () -> kube.apps.patchNamespacedDeployment("upf-ue-edit", ns,
            new V1Patch("{\"spec\":{\"replicas\":7}}")).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, kube.client);
    await().atMost(Kube.TIMEOUT).until(() -> kube.deployment(ns, "upf-ue-edit").getSpec().getReplicas() == 2);
  }

  /** The controller's own delete: the local control plane runs no garbage collector (TestCluster). */
  @Test
  void deletingTheUePodRemovesItsUpf() throws ApiException {
    kube.createReadyUe(ns, "ue-gone");
    kube.awaitUpf(ns, "upf-ue-gone");
    kube.deletePod(ns, "ue-gone");
    kube.awaitNoUpf(ns, "upf-ue-gone");
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-gone", "Normal", "UpfRemoved"));
  }

  /** While the controller is down, the garbage collector still removes a deleted UE's UPF: it is owned by the pod. */
  @Test
  void whileTheControllerIsDownTheGarbageCollectorRemovesADeletedUesUpf() throws Exception {
    kube.createReadyUe(ns, "ue-orphan");
    kube.awaitUpf(ns, "upf-ue-orphan");
    controller.close();
    controller = null;
    try (AutoCloseable gc = kube.startGarbageCollector()) {
      kube.deletePod(ns, "ue-orphan");
      kube.awaitNoUpf(ns, "upf-ue-orphan");
      await().atMost(Kube.TIMEOUT).until(() -> kube.service(ns, "upf-ue-orphan") == null
          && kube.core.listNamespacedConfigMap(ns).execute().getItems().stream()
              .noneMatch(cm -> "upf-ue-orphan".equals(cm.getMetadata().getName())));
    }
  }

  @Test
  void aTerminatingUePodLosesItsUpfWhileItStillExists() throws ApiException {
    V1Pod pod = kube.createUePod(ns, "ue-term");
    // A finalizer keeps the pod in Terminating, as a slow kubelet would.
    PatchUtils.patch(V1Pod.class, () -> kube.core.patchNamespacedPod("ue-term", ns,
            new V1Patch("{\"metadata\":{\"finalizers\":[\"test.nexslice.io/hold\"]}}")).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, kube.client);
    kube.setReady(ns, "ue-term", true);
    kube.awaitUpf(ns, "upf-ue-term");
    kube.core.deleteNamespacedPod("ue-term", ns).execute();
    kube.awaitNoUpf(ns, "upf-ue-term");
    V1Pod stillThere = kube.core.readNamespacedPod("ue-term", ns).execute();
    assertEquals(pod.getMetadata().getUid(), stillThere.getMetadata().getUid());
    assertTrue(stillThere.getMetadata().getDeletionTimestamp() != null);
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-term", "Normal", "UpfRemoved"));
    PatchUtils.patch(V1Pod.class, () -> kube.core.patchNamespacedPod("ue-term", ns,
            new V1Patch("{\"metadata\":{\"finalizers\":null}}")).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, kube.client);
  }

  @Test
  void removingTheLabelOptsOutAndAddingItOptsIn() throws ApiException {
    kube.createPod(ns, "ue-existing", Map.of("app", "ueransim-ue"), Map.of());
    kube.setReady(ns, "ue-existing", true);
    kube.labelPod(ns, "ue-existing", Kube.UE_LABEL, "true");
    kube.awaitUpf(ns, "upf-ue-existing");

    kube.labelPod(ns, "ue-existing", Kube.UE_LABEL, null);
    kube.awaitNoUpf(ns, "upf-ue-existing");
  }

  @Test
  void unlabelledPodsAndUnwatchedNamespacesAreIgnored() throws Exception {
    kube.createPod(ns, "not-a-ue", Map.of("app", "something"), Map.of());
    kube.setReady(ns, "not-a-ue", true);
    String other = kube.createNamespace("unwatched");
    try {
      kube.createReadyUe(other, "ue-elsewhere");
      sentinel("ue-sentinel");
      assertNull(kube.deployment(ns, "upf-not-a-ue"));
      assertTrue(kube.deployments(other).isEmpty());
      assertTrue(kube.services(other).isEmpty());
    } finally {
      kube.deleteNamespace(other);
    }
  }

  @Test
  void longAndDottedPodNamesGetValidDistinctNames() throws ApiException {
    String stem = "ue." + "x".repeat(70) + ".slice";
    List<String> pods = List.of(stem + ".a", stem + ".b", "ue.dotted.name", "y".repeat(200));
    for (String pod : pods) {
      kube.createReadyUe(ns, pod);
    }
    List<String> names = pods.stream().map(UpfNames::forPod).toList();
    assertEquals(pods.size(), names.stream().distinct().count());
    for (int i = 0; i < pods.size(); i++) {
      V1Deployment d = kube.awaitUpf(ns, names.get(i));
      assertEquals(pods.get(i), d.getMetadata().getAnnotations().get("nexslice.io/ue-pod"));
    }
  }

  @Test
  void aForeignDeploymentSquattingTheNameIsNotAdoptedAndTheUeWaitsForIt() throws Exception {
    Map<String, String> labels = Map.of("app", "someone-elses");
    V1PodSpec spec = new V1PodSpec().containers(List.of(new V1Container().name("c").image("nginx")));
    spec.setOverhead(null);
    V1Deployment squatter = kube.apps.createNamespacedDeployment(ns, new V1Deployment()
        .metadata(new V1ObjectMeta().name("upf-ue-squat").labels(labels))
        .spec(new V1DeploymentSpec().replicas(0).selector(new V1LabelSelector().matchLabels(labels))
            .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(labels)).spec(spec)))).execute();

    kube.createReadyUe(ns, "ue-squat");
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-squat", "Warning", "UpfNameTaken"));
    V1Deployment after = kube.deployment(ns, "upf-ue-squat");
    // Its status moves (the deployment controller), but nothing we would write is on it.
    assertEquals(squatter.getMetadata().getGeneration(), after.getMetadata().getGeneration(), "spec not changed");
    assertEquals(labels, after.getMetadata().getLabels());
    assertTrue(after.getMetadata().getOwnerReferences() == null || after.getMetadata().getOwnerReferences().isEmpty());
    List<String> managers = kube.deploymentManagers(ns, "upf-ue-squat");
    assertTrue(!managers.isEmpty() && managers.stream().noneMatch(m -> m.startsWith("dynamic-slicing/")), managers::toString);
    assertEquals("nginx", after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertNull(kube.service(ns, "upf-ue-squat"), "no half UPF beside a squatter");

    kube.apps.deleteNamespacedDeployment("upf-ue-squat", ns).execute();
    await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> {
      V1Deployment d = kube.deployment(ns, "upf-ue-squat");
      return d != null && "dynamic-slicing".equals(d.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    });
  }

  @Test
  void aForeignServiceSquattingTheNameIsLeftAlone() throws ApiException {
    kube.core.createNamespacedService(ns, new V1Service().metadata(new V1ObjectMeta().name("upf-ue-svc"))
        .spec(new V1ServiceSpec().ports(List.of(new V1ServicePort().port(80).protocol("TCP"))))).execute();
    kube.createReadyUe(ns, "ue-svc");
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-svc", "Warning", "UpfNameTaken"));
    assertEquals(80, kube.service(ns, "upf-ue-svc").getSpec().getPorts().get(0).getPort());
    assertNull(kube.deployment(ns, "upf-ue-svc"));
  }

  @Test
  void aRestartedControllerConvergesOnWhatChangedWhileItWasDown() throws Exception {
    kube.createReadyUe(ns, "ue-stays");
    kube.createReadyUe(ns, "ue-opts-out");
    V1Deployment staysBefore = kube.awaitUpf(ns, "upf-ue-stays");
    kube.awaitUpf(ns, "upf-ue-opts-out");
    controller.close();

    kube.labelPod(ns, "ue-opts-out", Kube.UE_LABEL, null); // the GC cannot help here: the pod lives
    kube.createReadyUe(ns, "ue-new");
    kube.apps.deleteNamespacedDeployment("upf-ue-stays", ns).execute();
    await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> kube.deployment(ns, "upf-ue-stays") == null);

    controller = RunningController.start(kube.cluster(), ns, Map.of("UPF_IMAGE", "registry.example/upf:1.2",
        "UPF_REPLICAS", "2"));
    kube.awaitUpf(ns, "upf-ue-new");
    kube.awaitNoUpf(ns, "upf-ue-opts-out");
    V1Deployment staysAfter = kube.awaitUpf(ns, "upf-ue-stays");
    assertNotEquals(staysBefore.getMetadata().getUid(), staysAfter.getMetadata().getUid());
    assertEquals(3 - 1, kube.deployments(ns).size());
  }

  @Test
  void aRestartWithNothingChangedWritesNothing() throws Exception {
    kube.createReadyUe(ns, "ue-a");
    kube.createReadyUe(ns, "ue-b");
    kube.awaitUpf(ns, "upf-ue-a");
    kube.awaitUpf(ns, "upf-ue-b");
    await().atMost(Kube.TIMEOUT).until(() -> kube.core.listNamespacedConfigMap(ns).execute().getItems().stream()
        .filter(c -> c.getMetadata().getName().startsWith("upf-")).count() == 2);
    controller.close();
    Map<String, String> before = resourceVersions();
    double appliesBefore = kube.applyRequests();

    controller = RunningController.start(kube.cluster(), ns, Map.of("UPF_IMAGE", "registry.example/upf:1.2",
        "UPF_REPLICAS", "2"));
    sentinel("ue-sentinel"); // the restarted controller has reconciled what was queued before it
    assertEquals(3, kube.applyRequests() - appliesBefore, "only the sentinel's three objects were applied");
    Map<String, String> after = resourceVersions();
    after.keySet().retainAll(before.keySet());
    assertEquals(before, after);
    assertTrue(!kube.hasEvent(ns, "ue-a", "Normal", "UpfUpdated") && !kube.hasEvent(ns, "ue-b", "Normal", "UpfUpdated"));
  }

  /**
   * Issue #20: an attach costs one reconcile. The watch events of our own three writes (their
   * echoes) wake none, even when they arrive before the writes' answers (held back until the
   * answers say they were ours: WriteExpectations). Before that, about one echo per attach
   * arrived first and woke a second, empty reconcile.
   */
  @Test
  void theEchoesOfAnAttachsOwnWritesWakeNoReconcile() throws Exception {
    int n = 10;
    for (int i = 0; i < n; i++) {
      kube.createUePod(ns, "ue-echo-" + i);
    }
    sentinel("ue-echo-sentinel"); // the pods' creations (not Ready: nothing to do) are reconciled
    double before = reconciles();
    for (int i = 0; i < n; i++) {
      String ue = "ue-echo-" + i;
      kube.setReady(ns, ue, true);
      kube.awaitUpf(ns, "upf-" + ue);
      await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, ue, "Normal", "UpfCreated"));
    }
    // Late wake-ups come within milliseconds: wait until the count holds still for a second.
    double[] last = {reconciles()};
    await().during(Duration.ofSeconds(1)).atMost(Kube.TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
      double now = reconciles();
      boolean still = now == last[0];
      last[0] = now;
      return still;
    });
    // One per Ready; kube-controller-manager's writes to the new Deployments are filtered
    // (DeploymentChange), so with none passing the count is exactly n. One of slack for a
    // resync-free surprise is still far from the 2n the echoes used to cost.
    double perAttach = (last[0] - before) / n;
    assertTrue(perAttach <= 1.1, "reconciles per attach: " + perAttach);
  }

  private double reconciles() throws Exception {
    return MetricsText.sample(controller.get("/metrics").body(), "dynamic_slicing_reconcile_total", Map.of());
  }

  private Map<String, String> resourceVersions() throws ApiException {
    Map<String, String> rv = new TreeMap<>();
    kube.services(ns).forEach(s -> rv.put("svc/" + s.getMetadata().getName(), s.getMetadata().getResourceVersion()));
    kube.deployments(ns).forEach(d -> rv.put("deploy/" + d.getMetadata().getName(), d.getMetadata().getGeneration() + ""));
    return rv;
  }
}
