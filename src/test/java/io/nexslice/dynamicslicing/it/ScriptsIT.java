package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.slice.UeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue #7: scripts/ue.sh and scripts/demo.sh, run for real against the API server. */
@ExtendWith(ClusterExtension.class)
class ScriptsIT {
  private Kube kube;
  private String ns;
  private RunningController controller;

  record Run(int exit, String out) {}

  @BeforeEach
  void setUp(Kube kube) throws Exception {
    this.kube = kube;
    this.ns = kube.createNamespace("scripts");
  }

  @AfterEach
  void tearDown() {
    if (controller != null) {
      controller.close();
    }
    kube.deleteNamespace(ns);
  }

  private Run run(Map<String, String> env, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash"));
    cmd.add(ClusterBackends.projectRoot().resolve(command[0]).toString());
    cmd.addAll(List.of(command).subList(1, command.length));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("KUBECONFIG", kube.cluster().kubeconfig().toString());
    pb.environment().put("KUBECTL", ClusterBackends.kubectl());
    pb.environment().put("UE_NAMESPACE", ns);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    return new Run(p.exitValue(), out);
  }

  private Run ue(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("scripts/ue.sh"));
    all.addAll(List.of(args));
    all.addAll(List.of("--namespace", ns));
    return run(Map.of(), all.toArray(String[]::new));
  }

  private List<V1Pod> ues() throws Exception {
    return kube.pods(ns, "app.kubernetes.io/managed-by=ue.sh");
  }

  @Test
  void addCreatesUesWithDistinctProvisionedImsisAndTheRightSlice() throws Exception {
    Run r = ue("add", "--count", "3");
    assertEquals(0, r.exit(), r.out());
    r = ue("add", "--slice", "2");
    assertEquals(0, r.exit(), r.out());

    List<V1Pod> pods = ues();
    assertEquals(4, pods.size());
    Set<String> imsis = new HashSet<>();
    for (V1Pod pod : pods) {
      String imsi = pod.getMetadata().getLabels().get("nexslice.io/imsi");
      long n = Long.parseLong(imsi);
      assertTrue(n >= 208950000000031L && n <= 208950000000131L, imsi);
      assertTrue(imsis.add(imsi), "distinct: " + imsi);
      assertEquals("true", pod.getMetadata().getLabels().get("nexslice.io/dynamic-upf"));
      V1ConfigMap cm = kube.core.readNamespacedConfigMap(pod.getMetadata().getName() + "-config", ns).execute();
      String ueYaml = cm.getData().get("ue.yaml");
      assertTrue(ueYaml.contains("supi: 'imsi-" + imsi + "'"), ueYaml);
      assertTrue(ueYaml.contains("key: '0C0A34601D4F07677303652C0462535B'"));
      assertTrue(ueYaml.contains("op: '63bfa50ee6523365ff14c1f45f88737d'"));
      // No session at start: the UE registers, and ue-session.sh opens the session once marked.
      assertEquals(new UeConfig.Values(Optional.empty(), Optional.empty(), Optional.empty()), UeConfig.parse(ueYaml));
      String slice = pod.getMetadata().getLabels().get("nexslice.io/slice");
      String dnn = slice.equals("1") ? "oai" : "oai" + slice;
      assertTrue(ueYaml.contains("\n#   ps-establish IPv4 --sst " + slice + " --sd 0xffffff --dnn " + dnn + "\n"), ueYaml);
      assertTrue(cm.getData().get("ue-session.sh").contains("nexslice.io/upf-ready"), cm.getData().toString());
      // The controller reads the slice from the pod's annotations.
      assertEquals(Map.of("nexslice.io/sst", slice, "nexslice.io/sd", "FFFFFF", "nexslice.io/dnn", dnn),
          pod.getMetadata().getAnnotations());
      assertEquals(List.of("/bin/sh", "/etc/ueransim/ue-session.sh"), pod.getSpec().getContainers().get(0).getCommand());
      assertEquals(List.of("/bin/sh", "-c", "nr-cli imsi-" + imsi + " -e status | grep -q 'rm-state: RM-REGISTERED'"),
          pod.getSpec().getContainers().get(0).getReadinessProbe().getExec().getCommand());
      assertEquals("metadata.annotations", pod.getSpec().getVolumes().stream().filter(v -> v.getDownwardAPI() != null)
          .findFirst().orElseThrow().getDownwardAPI().getItems().get(0).getFieldRef().getFieldPath());
    }
  }

  @Test
  void listShowsTheUpfsTheControllerMadeAndRemoveCleansUp() throws Exception {
    controller = RunningController.start(kube.cluster(), ns, Map.of("UPF_REPLICAS", "0"));
    assertEquals(0, ue("add", "--count", "2").exit());
    List<String> names = ues().stream().map(p -> p.getMetadata().getName()).sorted().toList();
    for (String n : names) {
      kube.setReady(ns, n, true);
      kube.awaitUpf(ns, "upf-" + n);
    }
    Run list = ue("list");
    assertEquals(0, list.exit(), list.out());
    for (String n : names) {
      assertTrue(list.out().lines().anyMatch(l -> l.startsWith(n) && l.contains("True") && l.contains("upf-" + n)),
          list.out());
    }

    assertEquals(0, ue("remove", names.get(0)).exit());
    kube.awaitNoUpf(ns, "upf-" + names.get(0));
    await().atMost(Kube.TIMEOUT).until(() -> ues().size() == 1);
    assertEquals(0, ue("remove", "--all").exit());
    await().atMost(Kube.TIMEOUT).until(() -> ues().isEmpty()
        && kube.core.listNamespacedConfigMap(ns).labelSelector("app.kubernetes.io/managed-by=ue.sh").execute().getItems().isEmpty());
    kube.awaitNoUpf(ns, "upf-" + names.get(1));
  }

  @Test
  void optinGivesAnExistingPodAUpfAndOptoutTakesItAway() throws Exception {
    controller = RunningController.start(kube.cluster(), ns, Map.of("UPF_REPLICAS", "0"));
    kube.createPod(ns, "ueransim-ues-0", Map.of("app.kubernetes.io/name", "ueransim-ues"), Map.of());
    kube.setReady(ns, "ueransim-ues-0", true);
    assertEquals(0, ue("optin", "ueransim-ues-0").exit());
    kube.awaitUpf(ns, "upf-ueransim-ues-0");
    assertEquals(0, ue("optout", "ueransim-ues-0").exit());
    kube.awaitNoUpf(ns, "upf-ueransim-ues-0");
  }

  @Test
  void mistakesGiveClearErrors() throws Exception {
    Run r = run(Map.of(), "scripts/ue.sh", "add", "--namespace", "no-such-namespace");
    assertEquals(1, r.exit());
    assertTrue(r.out().contains("namespace 'no-such-namespace' does not exist"), r.out());

    r = ue("optin", "no-such-pod");
    assertEquals(1, r.exit());
    assertTrue(r.out().contains("pod 'no-such-pod' not found"), r.out());

    r = run(Map.of("UE_IMSI_FIRST", "208950000000120", "UE_IMSI_LAST", "208950000000121"),
        "scripts/ue.sh", "add", "--count", "3", "--namespace", ns);
    assertEquals(1, r.exit());
    assertTrue(r.out().contains("used up: 2 of 3 UEs made"), r.out());
    assertEquals(2, ues().size());

    r = ue("add", "--slice", "7");
    assertEquals(1, r.exit());
    assertTrue(r.out().contains("--slice must be 1, 2 or 3"), r.out());
  }

  @Test
  void theExampleManifestIsAcceptedByTheApiServer() throws Exception {
    Path example = Files.createTempFile("ue-example", ".yaml");
    Files.writeString(example, Files.readString(ClusterBackends.projectRoot().resolve("manifests/examples/ue.yaml"))
        .replace("namespace: nexslice", "namespace: " + ns));
    Run r = run(Map.of(), "scripts/ue.sh", "list", "--namespace", ns); // warm-up: the namespace exists
    assertEquals(0, r.exit(), r.out());
    List<String> cmd = List.of(ClusterBackends.kubectl(), "--kubeconfig", kube.cluster().kubeconfig().toString(),
        "apply", "-f", example.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    assertNotEquals(null, kube.core.readNamespacedPod("ue-example", ns).execute());
  }

  @Test
  void theDemoCompletesAgainstTheLocalControlPlane() throws Exception {
    controller = RunningController.start(kube.cluster(), ns, Map.of("UPF_REPLICAS", "0"));
    Run r = run(Map.of("DEMO_TIMEOUT", "60"), "scripts/demo.sh", "3");
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("plays the kubelet's part"), r.out());
    assertEquals(3, r.out().lines().filter(l -> l.contains("(Deployment + Service) up for")).count(), r.out());
    assertEquals(3, r.out().lines().filter(l -> l.contains(" gone, ")).count(), r.out());
    assertTrue(r.out().contains("Done: 3 UPF(s) came and went."), r.out());
    await().atMost(Kube.TIMEOUT).until(() -> kube.deployments(ns).isEmpty());
  }
}
