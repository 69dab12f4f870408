package io.nexslice.dynamicslicing.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Volume;
import io.nexslice.dynamicslicing.bench.PodTimeline.Moment;
import io.nexslice.dynamicslicing.bench.PodTimeline.Seen;
import io.nexslice.dynamicslicing.model.UpfNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * P7 (docs/BENCHMARKS.md): UE Ready -> its UPF's pod Ready, on the full local cluster with the
 * controller installed as users install it ({@code scripts/bench.sh --pod-ready}), next to a floor
 * measured in the same run, one sample of each in turn: the same UPF pod started without the
 * controller, a Deployment this process creates from a copy of the UPF Deployment the controller
 * just made (same pod template, its ConfigMap copied under the new name; no owner, no labels or
 * annotations of the controller's), timed from the create call to its pod's Ready, made at the
 * Ready of a UE the controller does not serve, so that both UPF pods start beside a UE pod just
 * Ready. The difference is what the controller adds (watch delivery, reconcile, writes) to what
 * kube-controller-manager, kube-scheduler and the kubelet take anyway.
 *
 * <p>Every time is the {@code System.nanoTime()} at which this process's watch (PodTimeline) saw
 * the event, no polling. UEs are added with {@code scripts/ue.sh add} and removed with
 * {@code scripts/ue.sh remove}; each sample starts once the pods of the one before are gone, so
 * every UPF pod starts on a node that runs only the two controller replicas and one UE besides it.
 *
 * <p>Args: --kubeconfig F --root R --ue-image I [--kubectl K] [--samples N] [--warmup W] [--out F]
 */
public final class PodReadyBench {
  private static final String NS = "nexslice";
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  /** Labels of the floor's Deployment, ConfigMap and pods: none the controller reads. */
  private static final String FLOOR_LABEL = "pod-ready-bench/floor";
  private static final String CONTROLLER_LABEL = "app.kubernetes.io/name";
  private static final String CONTROLLER_APP = "dynamic-slicing";

  /**
   * One sample, each moment in ms after its start (UE Ready, or the floor's create call): the
   * Deployment, its ReplicaSet and its pod seen, the pod scheduled, Running and Ready, and (the
   * controller's only, after the row's end) the UE pod marked nexslice.io/upf-ready.
   */
  record Sample(double[] path, double ueMarked) {}

  /** A floor Deployment and the ConfigMap it mounts (null if the UPF mounts none), made from one UPF's. */
  private record FloorObjects(V1Deployment deployment, V1ConfigMap configMap, V1PodSpec upfPodSpec, String upfConfigMap) {}

  private record ControllerRun(Sample sample, FloorObjects floor) {}

  /** What each moment of a sample's path follows, for the table. */
  private static final String[] STEPS = {
      "start -> Deployment seen (controller: from the UE's Ready, its watch, reconcile and applies; floor: the create call)",
      "-> ReplicaSet seen (kube-controller-manager's deployment controller)",
      "-> pod created (its replicaset controller)",
      "-> pod scheduled (kube-scheduler's binding)",
      "-> pod Running (kubelet: sandbox, network, volumes, container start; reported after its next 1 s relist)",
      "-> pod Ready (kubelet: the readiness probe, %s, first tick at a random point of the period)"};

  private final CoreV1Api core;
  private final AppsV1Api apps;
  private final PodTimeline timeline;
  private final UeScript ues;
  private final String ueImage;
  private final List<String> problems = new ArrayList<>();
  private String probe = "?";

  private PodReadyBench(ApiClient client, PodTimeline timeline, UeScript ues, String ueImage) {
    this.core = new CoreV1Api(client);
    this.apps = new AppsV1Api(client);
    this.timeline = timeline;
    this.ues = ues;
    this.ueImage = ueImage;
  }

  public static void main(String[] args) {
    BenchLauncher.runAndExit(args, a -> run(a));
  }

  private static void run(Map<String, String> a) throws Exception {
    int samples = Integer.parseInt(a.getOrDefault("samples", "20"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "1"));
    Path kubeconfig = Path.of(a.get("kubeconfig"));
    Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString(), "KUBECTL", a.getOrDefault("kubectl", "kubectl"));
    List<String> rows;
    try (PodTimeline timeline = new PodTimeline(BenchMain.client(kubeconfig, 0), NS)) {
      PodReadyBench bench = new PodReadyBench(BenchMain.client(kubeconfig, 60), timeline,
          new UeScript(Path.of(a.get("root")), env, NS), a.get("ue-image"));
      rows = bench.measure(samples, warmup);
    }
    rows.forEach(System.out::println);
    if (a.containsKey("out")) {
      Files.write(Path.of(a.get("out")), rows);
    }
  }

  private List<String> measure(int samples, int warmup) throws Exception {
    awaitQuietNode();
    List<Sample> controller = new ArrayList<>();
    List<Sample> floor = new ArrayList<>();
    for (int i = 1 - warmup; i <= samples; i++) {
      String tag = i <= 0 ? "warm-up " + (i + warmup) : "sample " + i;
      // Controller and floor in turn, so that drift in the machine's speed hits both alike.
      ControllerRun c = controllerSample(tag);
      Sample f = floorSample(c.floor(), tag);
      System.err.printf("P7 %s: controller %s, UE marked %.0f; floor %s%n", tag, describe(c.sample()),
          c.sample().ueMarked(), describe(f));
      if (i > 0) {
        controller.add(c.sample());
        floor.add(f);
      }
    }
    return table(controller, floor);
  }

  /** A UE added as users add it; from its Ready (the watch event) to its UPF's pod Ready. */
  private ControllerRun controllerSample(String tag) throws Exception {
    String ue = ues.add(ueImage);
    String ueUid = timeline.livePodUid(ue, TIMEOUT);
    long start = timeline.podAt(ueUid, Moment.READY, TIMEOUT);
    Seen upf = timeline.deployment(UpfNames.forPod(ue), ueUid, TIMEOUT);
    double[] path = podPath(start, upf);
    long marked = timeline.podAt(ueUid, Moment.MARKED, TIMEOUT);
    FloorObjects floor = floorObjects(upf.name(), "pod-ready-floor-" + tag.replaceAll("[^0-9a-z]+", "-"));
    ues.remove(ue);
    awaitQuietNode();
    return new ControllerRun(new Sample(path, ms(marked - start)), floor);
  }

  /**
   * The UPF's pod started without the controller: from the create call of its copy to that pod's
   * Ready. The copy is created at the Ready of a UE that the controller does not serve (added by
   * ue.sh and opted out at once), so that the floor's pod, like the controller's, starts beside a
   * UE pod that has just turned Ready and probes its registration: the node runs the same pods in
   * both samples, and only the controller differs.
   */
  private Sample floorSample(FloorObjects floor, String tag) throws Exception {
    String bystander = ues.add(ueImage);
    ues.optOut(bystander);
    String bystanderUid = timeline.livePodUid(bystander, TIMEOUT);
    if (floor.configMap() != null) {
      core.createNamespacedConfigMap(NS, floor.configMap()).execute();
    }
    timeline.podAt(bystanderUid, Moment.READY, TIMEOUT);
    long start = System.nanoTime();
    V1Deployment made = apps.createNamespacedDeployment(NS, floor.deployment()).execute();
    double[] path = podPath(start, timeline.deployment(made.getMetadata().getUid(), TIMEOUT));
    String name = made.getMetadata().getName();
    // The same pod, as the API server defaulted both: only the ConfigMap's name may differ.
    JsonElement upf = JsonParser.parseString(JSON.serialize(floor.upfPodSpec()));
    for (JsonElement v : upf.getAsJsonObject().getAsJsonArray("volumes")) {
      JsonElement cm = v.getAsJsonObject().get("configMap");
      if (cm != null && cm.getAsJsonObject().get("name").getAsString().equals(floor.upfConfigMap())) {
        cm.getAsJsonObject().addProperty("name", name);
      }
    }
    JsonElement copy = JsonParser.parseString(JSON.serialize(made.getSpec().getTemplate().getSpec()));
    if (!upf.equals(copy)) {
      problems.add(tag + ": the floor's pod spec differs from its UPF's");
      System.err.printf("P7 %s: the floor's pod spec differs from its UPF's:%n  UPF   %s%n  floor %s%n", tag, upf, copy);
    }
    List<String> delete = new ArrayList<>(List.of("kubectl", "-n", NS, "delete", "deployment/" + name, "--wait=false"));
    if (floor.configMap() != null) {
      delete.add("configmap/" + name);
    }
    ues.sh(delete);
    ues.remove(bystander);
    awaitQuietNode();
    if (timeline.sawDeployment(UpfNames.forPod(bystander), bystanderUid)) {
      problems.add(tag + ": the controller served the opted-out UE " + bystander);
    }
    return new Sample(path, Double.NaN);
  }

  /** ms after {@code start} of the Deployment seen, its ReplicaSet seen, and its pod created, scheduled, Running, Ready. */
  private double[] podPath(long start, Seen deployment) throws InterruptedException {
    Seen rs = timeline.replicaSetOf(deployment.uid(), TIMEOUT);
    String pod = timeline.podOf(rs.uid(), TIMEOUT);
    long[] at = {deployment.at(), rs.at(), timeline.podAt(pod, Moment.CREATED, TIMEOUT),
        timeline.podAt(pod, Moment.SCHEDULED, TIMEOUT), timeline.podAt(pod, Moment.RUNNING, TIMEOUT),
        timeline.podAt(pod, Moment.READY, TIMEOUT)};
    double[] path = new double[at.length];
    for (int i = 0; i < at.length; i++) {
      path[i] = ms(at[i] - start);
    }
    return path;
  }

  /**
   * The floor's objects from the UPF Deployment {@code upfName} as the controller made it: the
   * same spec and pod template, under {@code name}, with labels of its own (none the controller
   * reads, no owner, no annotations), mounting a copy of the UPF's ConfigMap of the same name.
   */
  private FloorObjects floorObjects(String upfName, String name) throws Exception {
    V1Deployment upf = apps.readNamespacedDeployment(upfName, NS).execute();
    V1PodSpec upfSpec = upf.getSpec().getTemplate().getSpec();
    String upfConfigMap = upfSpec.getVolumes() == null ? null : upfSpec.getVolumes().stream()
        .map(V1Volume::getConfigMap).filter(c -> c != null).map(c -> c.getName()).findFirst().orElse(null);
    Map<String, String> labels = Map.of(FLOOR_LABEL, name);
    V1Deployment d = JSON.deserialize(JSON.serialize(upf), V1Deployment.class);
    d.setMetadata(new V1ObjectMeta().name(name).namespace(NS).labels(labels));
    d.setStatus(null);
    d.getSpec().setSelector(new V1LabelSelector().matchLabels(labels));
    d.getSpec().getTemplate().setMetadata(new V1ObjectMeta().labels(labels));
    V1PodSpec spec = d.getSpec().getTemplate().getSpec();
    spec.setOverhead(null); // docs TESTING.md: client-java sends "overhead": {}, which the API server refuses
    V1ConfigMap configMap = null;
    if (upfConfigMap != null) {
      spec.getVolumes().stream().map(V1Volume::getConfigMap).filter(c -> c != null && upfConfigMap.equals(c.getName()))
          .forEach(c -> c.setName(name));
      V1ConfigMap original = core.readNamespacedConfigMap(upfConfigMap, NS).execute();
      configMap = new V1ConfigMap().metadata(new V1ObjectMeta().name(name).namespace(NS).labels(labels))
          .data(original.getData()).binaryData(original.getBinaryData());
    }
    V1Probe readiness = upfSpec.getContainers().get(0).getReadinessProbe();
    probe = readiness == null ? "none: Ready once Running"
        : "initialDelaySeconds " + readiness.getInitialDelaySeconds() + ", periodSeconds " + readiness.getPeriodSeconds();
    return new FloorObjects(d, configMap, upfSpec, upfConfigMap);
  }

  /** Until no pod but the controller's is left in the namespace (Terminating ones count). */
  private void awaitQuietNode() throws InterruptedException {
    timeline.awaitOnlyPods(p -> p.getMetadata().getLabels() != null
        && CONTROLLER_APP.equals(p.getMetadata().getLabels().get(CONTROLLER_LABEL)),
        "only the controller's pods left in " + NS, TIMEOUT);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static String describe(Sample s) {
    StringBuilder b = new StringBuilder();
    for (double v : s.path()) {
      b.append(b.length() == 0 ? "" : "/").append(String.format("%.0f", v));
    }
    return b + " ms (Deployment/ReplicaSet/pod created/scheduled/Running/Ready)";
  }

  private List<String> table(List<Sample> controller, List<Sample> floor) {
    int ready = STEPS.length - 1;
    int scheduled = ready - 2;
    Stats c = stats(controller, s -> s.path()[ready]);
    Stats f = stats(floor, s -> s.path()[ready]);
    Stats cScheduled = stats(controller, s -> s.path()[scheduled]);
    Stats fScheduled = stats(floor, s -> s.path()[scheduled]);
    List<String> rows = new ArrayList<>();
    rows.add("| P7: " + controller.size() + " UEs, one at a time (ms) | median | p95 | min | max |");
    rows.add("|---|---|---|---|---|");
    rows.add(row("controller: UE Ready -> its UPF's pod Ready", c, f, false));
    rows.add(row("floor: the same pod without the controller (beside a UE just Ready, not served), Deployment create -> pod Ready", f, c, false));
    rows.add(row("controller - floor", c, f, true));
    rows.add(row("controller: UE Ready -> its UPF's pod scheduled (all before the kubelet)", cScheduled, fScheduled, false));
    rows.add(row("floor: Deployment create -> pod scheduled", fScheduled, cScheduled, false));
    rows.add(row("controller - floor, to scheduled", cScheduled, fScheduled, true));
    rows.add("");
    rows.add("Samples to pod Ready, in the order taken (ms): controller " + list(controller, ready) + "; floor " + list(floor, ready));
    rows.add("");
    rows.add("Where the time goes (per step, ms; each step from the moment before it):");
    rows.add("");
    rows.add("| step | controller median | floor median | controller - floor | controller p95 | floor p95 |");
    rows.add("|---|---|---|---|---|---|");
    for (int i = 0; i < STEPS.length; i++) {
      int k = i;
      Function<Sample, Double> step = s -> s.path()[k] - (k == 0 ? 0 : s.path()[k - 1]);
      Stats cs = stats(controller, step);
      Stats fs = stats(floor, step);
      rows.add(String.format("| %s | %.0f | %.0f | %+.0f | %.0f | %.0f |", String.format(STEPS[i], probe),
          cs.percentile(50), fs.percentile(50), cs.percentile(50) - fs.percentile(50), cs.percentile(95), fs.percentile(95)));
    }
    rows.add(String.format("| start -> pod Ready (the row) | %.0f | %.0f | %+.0f | %.0f | %.0f |",
        c.percentile(50), f.percentile(50), c.percentile(50) - f.percentile(50), c.percentile(95), f.percentile(95)));
    Stats marked = stats(controller, s -> s.ueMarked() - s.path()[ready]);
    rows.add(String.format("| after the row: UPF pod Ready -> UE pod marked nexslice.io/upf-ready (controller) | %.0f | | | %.0f | |",
        marked.percentile(50), marked.percentile(95)));
    rows.add("");
    rows.add("Checks: the floor's pod spec, as the API server stored it, equals its UPF's but for the ConfigMap's name, and the"
        + " controller served no opted-out UE: " + (problems.isEmpty() ? "yes, every sample" : "**no**: " + String.join("; ", problems)));
    return rows;
  }

  private static String list(List<Sample> samples, int moment) {
    return String.join(", ", samples.stream().map(x -> String.format("%.0f", x.path()[moment])).toList());
  }

  private static Stats stats(List<Sample> samples, Function<Sample, Double> value) {
    Stats s = new Stats();
    samples.forEach(x -> s.add(value.apply(x)));
    return s;
  }

  /** median, p95, min, max of {@code a}; with {@code difference}, of {@code a} minus those of {@code b}. */
  private static String row(String what, Stats a, Stats b, boolean difference) {
    StringBuilder r = new StringBuilder("| " + what + " |");
    for (double p : new double[] {50, 95, 0, 100}) {
      r.append(difference ? String.format(" %+.0f |", a.percentile(p) - b.percentile(p)) : String.format(" %.0f |", a.percentile(p)));
    }
    return r.toString();
  }
}
