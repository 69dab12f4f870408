package io.nexslice.dynamicslicing.bench;

import static org.awaitility.Awaitility.await;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EventSource;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.Yaml;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UpfNames;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.profile.OaiUpfProfile;
import io.nexslice.dynamicslicing.slice.Slice;
import io.nexslice.dynamicslicing.write.ParallelWrites;
import io.nexslice.dynamicslicing.write.ServerSideApplyWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmarks of docs/BENCHMARKS.md, each next to floors measured in the same run.
 *
 * <pre>
 * java ... BenchMain --kubeconfig K --jar target/dynamic-slicing.jar [--scale full|smoke] [--out file]
 * </pre>
 *
 * <p>Two floors for the attach scenarios: "sequential" (issue 20's: the status write, then the
 * three server-side applies one after the other, from the bench's thread) and "same watch"
 * (WatchFloor: reacts to the UE's Ready watch event, as the controller does, with the
 * controller's concurrency and its writes made at once). Every scenario runs several samples and
 * prints median [min-max]. It prints one table; it asserts nothing.
 */
public final class BenchMain {
  /**
   * @param p1Rounds samples of P1 (each gives a p50 and a p99)
   * @param p1PerRound UEs per P1 sample
   * @param warmup UEs attached before measuring (P1; P2 uses four times as many)
   * @param p2Samples bursts of P2
   * @param p2 UEs per burst
   * @param p3Ues attached UEs of P3 (and P5's cluster)
   * @param p3Others unselected pods beside them
   * @param p5Starts starts of P5, per way of starting
   */
  public record Scale(int p1Rounds, int p1PerRound, int warmup, int p2Samples, int p2, int p3Ues, int p3Others,
      int p5Starts) {}

  static final Scale FULL = new Scale(5, 60, 10, 5, 500, 5000, 5000, 5);
  public static final Scale SMOKE = new Scale(2, 4, 3, 2, 20, 40, 40, 2);
  /** Threads writing the UEs' Ready status in P2's bursts (how fast the UEs turn Ready). */
  static final int STATUS_WRITERS = 4;
  /** The controller's WORKER_COUNT (default 4, as its own), and the floors' concurrency. */
  int workers = 4;
  static final Duration WAIT = Duration.ofMinutes(10);
  /** The Deployment's memory limit (manifests/: resources.limits.memory). */
  static final long MEMORY_LIMIT = 512L << 20;
  /** IMSIs of the benchmark's UEs (ue.sh's are 208950000000031..131; these are far from them). */
  private static final long FIRST_IMSI = 208_950_100_000_000L;

  private final ApiClient client;
  private final CoreV1Api core;
  private final AppsV1Api apps;
  private final Path kubeconfig;
  private final Path jar;
  private final Scale scale;
  private final List<String> jvmOptions;
  /** The Deployment's CPU limit for the controller process (a cgroup quota); 0: none. */
  double controllerCpus;
  /** The Deployment's memory limit for the controller process (a cgroup); 0: none. */
  long controllerMemory;
  /** The Deployment's logs: INFO as JSON lines, instead of WARN text. */
  boolean productionLogs = true;
  /** Whether the cluster runs kube-controller-manager (Deployments get ReplicaSets, pods and status). */
  boolean controllerManager = true;
  private final Path logDir;
  private final List<String[]> rows = new ArrayList<>();
  private final ServerSideApplyWriter floorWriter;
  private final UpfDesiredState floorDesired =
      new UpfDesiredState(new OaiUpfProfile(), Optional.empty(), 1, sst -> "oai-nrf");
  /** The slice and subnet the controller resolves for ue.sh's UEs of slice 1 with the OAI profile. */
  private static final Slice SLICE = new Slice(1, Optional.of("FFFFFF"), "oai");
  private static final String SUBNET = "12.1.1.0/24";
  private final AtomicLong nextImsi = new AtomicLong(FIRST_IMSI);
  private int nextPort = 18700 + (int) (ProcessHandle.current().pid() % 500);
  private String ueTemplate;

  public BenchMain(Path kubeconfig, Path jar, Scale scale, List<String> jvmOptions) throws Exception {
    this.kubeconfig = kubeconfig;
    this.jar = jar;
    this.scale = scale;
    this.jvmOptions = jvmOptions;
    this.client = client(kubeconfig, 60);
    this.core = new CoreV1Api(client);
    this.apps = new AppsV1Api(client);
    ApiClient floorClient = client(kubeconfig, 60);
    this.floorWriter = new ServerSideApplyWriter(floorClient, new ApplyJson(floorClient.getJSON()));
    this.logDir = Files.createTempDirectory("ds-bench-logs");
  }

  static ApiClient client(Path kubeconfig, int readTimeoutSeconds) throws Exception {
    try (Reader r = Files.newBufferedReader(kubeconfig)) {
      KubeConfig kc = KubeConfig.loadKubeConfig(r);
      kc.setFile(kubeconfig.toFile());
      ApiClient c = ClientBuilder.kubeconfig(kc).build();
      c.setHttpClient(c.getHttpClient().newBuilder().readTimeout(readTimeoutSeconds, TimeUnit.SECONDS)
          .connectionPool(new okhttp3.ConnectionPool(16, 5, TimeUnit.MINUTES)).build());
      return c;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i], args[i + 1]);
    }
    Scale scale = "smoke".equals(a.getOrDefault("--scale", "full")) ? SMOKE : FULL;
    List<String> jvm = List.of(a.getOrDefault("--controller-jvm", "").split(" ")).stream().filter(s -> !s.isBlank()).toList();
    if (a.containsKey("--samples")) {
      int k = Integer.parseInt(a.get("--samples"));
      scale = new Scale(k, scale.p1PerRound(), scale.warmup(), k, scale.p2(), scale.p3Ues(), scale.p3Others(), k);
    }
    BenchMain bench = new BenchMain(Path.of(a.get("--kubeconfig")), Path.of(a.getOrDefault("--jar", "target/dynamic-slicing.jar")),
        scale, jvm);
    bench.floorClassPath = a.get("--floor-classpath");
    bench.controllerCpus = Double.parseDouble(a.getOrDefault("--controller-cpus", "0"));
    bench.controllerMemory = Long.parseLong(a.getOrDefault("--controller-memory-mib", "0")) << 20;
    bench.productionLogs = "json".equals(a.getOrDefault("--controller-logs", "json"));
    bench.controllerManager = Boolean.parseBoolean(a.getOrDefault("--controller-manager", "true"));
    bench.workers = Integer.parseInt(a.getOrDefault("--workers", "4"));
    String table = bench.run(a.getOrDefault("--only", "P1,P2,P3"));
    System.out.println(table);
    if (a.containsKey("--out")) {
      Files.writeString(Path.of(a.get("--out")), table);
    }
    System.exit(bench.failed().isEmpty() ? 0 : 1);
  }

  public String runAll() throws Exception {
    return run("P1,P2,P3");
  }

  /** Runs the named scenarios (P2 includes P4, P3 includes P5), in the table's order. */
  public String run(String only) throws Exception {
    List<String> ids = List.of(only.toUpperCase().split(","));
    if (ids.contains("P1")) {
      scenario("P1", this::p1);
    }
    if (ids.contains("P2") || ids.contains("P4")) {
      scenario("P2", this::p2AndP4);
    }
    if (ids.contains("P3") || ids.contains("P5")) {
      scenario("P3", this::p3AndP5);
    }
    return table();
  }

  interface Scenario {
    void run() throws Exception;
  }

  /** Scenarios that failed; their rows say so. */
  private final List<String> failed = new ArrayList<>();

  public List<String> failed() {
    return List.copyOf(failed);
  }

  /**
   * Runs one scenario; a failure is a row of the table (and the run's exit status), not the end
   * of the run: the scenarios before it keep their numbers. Then, with kube-controller-manager,
   * removes the scenario's namespaces and waits until they are gone, so the next scenario starts
   * on a cluster without the last one's objects (and etcd gets their space back).
   */
  private void scenario(String id, Scenario s) throws Exception {
    try {
      s.run();
    } catch (Exception e) {
      failed.add(id);
      e.printStackTrace();
      row(id, "FAILED: " + e, "", "", "", "", "", "NO");
    }
    System.err.println("bench: " + id + " done\n" + table());
    if (controllerManager) {
      List<String> made = List.copyOf(namespaces);
      deleteNamespaces();
      namespaces.clear();
      try {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() ->
            core.listNamespace().execute().getItems().stream().noneMatch(n -> made.contains(n.getMetadata().getName())));
      } catch (RuntimeException e) {
        System.err.println("bench: the namespaces of " + id + " are not gone after 5 minutes: " + e.getMessage());
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private final List<String> namespaces = new ArrayList<>();

  /** Deletes the namespaces the run made (a bench on a shared cluster cleans up after itself). */
  public void deleteNamespaces() {
    for (String ns : namespaces) {
      try {
        core.deleteNamespace(ns).buildCall(null).execute().close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  private String namespace(String prefix) throws ApiException {
    String name = prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(name))).execute();
    namespaces.add(name);
    try {
      // Without kube-controller-manager nothing makes the default ServiceAccount pods need.
      core.createNamespacedServiceAccount(name, new V1ServiceAccount().metadata(new V1ObjectMeta().name("default"))).execute();
    } catch (ApiException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    if (controllerManager) {
      // ue.sh's pods mount the ServiceAccount's token: the API server refuses them until
      // kube-controller-manager's token controller has made it.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
        V1ServiceAccount sa = core.readNamespacedServiceAccount("default", name).execute();
        return sa.getSecrets() != null && !sa.getSecrets().isEmpty();
      });
    }
    return name;
  }

  /**
   * A UE as users make them: `scripts/ue.sh manifest` (what `ue.sh add` creates), a ConfigMap
   * holding its ue.yaml and entrypoint, and a Pod that mounts it, with its own IMSI. Read once,
   * then copied with the IMSI (and so the names) changed.
   */
  private String ueTemplate() throws Exception {
    if (ueTemplate == null) {
      Process p = new ProcessBuilder("bash", "scripts/ue.sh", "manifest", "--namespace", "NAMESPACE_OF_THE_BENCH",
          "--imsi", Long.toString(FIRST_IMSI - 1)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0 || !yaml.contains("kind: Pod")) {
        throw new IllegalStateException("scripts/ue.sh manifest failed: " + yaml);
      }
      ueTemplate = yaml;
    }
    return ueTemplate;
  }

  /** Creates {@code n} UEs (ConfigMap and Pod each) in {@code ns}; returns the pods in creation order. */
  private List<V1Pod> createUes(String ns, int n) throws Exception {
    String template = ueTemplate().replace("NAMESPACE_OF_THE_BENCH", ns);
    List<Long> imsis = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      imsis.add(nextImsi.getAndIncrement());
    }
    V1Pod[] out = new V1Pod[n];
    parallel(n, 8, i -> {
      List<Object> objects = Yaml.loadAll(template.replace(Long.toString(FIRST_IMSI - 1), Long.toString(imsis.get(i))));
      for (Object o : objects) {
        if (o instanceof V1ConfigMap cm) {
          core.createNamespacedConfigMap(ns, cm).execute();
        }
      }
      for (Object o : objects) {
        if (o instanceof V1Pod pod) {
          pod.getSpec().setOverhead(null); // client-java's model sends {}, which a 1.20 API server refuses
          if (!controllerManager) {
            // No token controller makes the ServiceAccount's token: the API server refuses pods that mount it.
            pod.getSpec().setAutomountServiceAccountToken(false);
          }
          out[i] = core.createNamespacedPod(ns, pod).execute();
        }
      }
    });
    return List.of(out);
  }

  /** Pods no controller selects (P3's other tenants of the namespace). */
  private void createOthers(String ns, int n) throws Exception {
    parallel(n, 8, i -> {
      V1PodSpec spec = new V1PodSpec().automountServiceAccountToken(false)
          .containers(List.of(new V1Container().name("other").image("other:bench")));
      spec.setOverhead(null);
      core.createNamespacedPod(ns, new V1Pod().metadata(new V1ObjectMeta().name(String.format("other-%05d", i))
          .labels(Map.of("app", "other"))).spec(spec)).execute();
    });
  }

  private void setReady(V1Pod pod) throws ApiException {
    String now = OffsetDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String patch = "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
        + "\"lastTransitionTime\":\"" + now + "\"}]}}";
    PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPodStatus(pod.getMetadata().getName(),
        pod.getMetadata().getNamespace(), new V1Patch(patch)).buildCall(null), V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
  }

  /** The objects the controller writes for a UE of ue.sh's slice 1, built by the same code. */
  private UpfObjects floorObjects(V1Pod pod) {
    return floorDesired.build(UeRef.of(pod), SLICE, SUBNET);
  }

  /** The sequential floor's writes for one UE: the three server-side applies, one after the other. */
  private void floorApplySequentially(V1Pod pod) throws ApiException {
    for (var o : floorObjects(pod).all()) {
      floorWriter.apply(o);
    }
  }

  /** The watch floor's writes for one UE: the three applies (made at once by WatchFloor), and the event if asked. */
  private List<ParallelWrites.Write> floorWrites(V1Pod pod, boolean event) {
    List<ParallelWrites.Write> writes = new ArrayList<>();
    for (var o : floorObjects(pod).all()) {
      writes.add(() -> floorWriter.apply(o));
    }
    if (event) {
      writes.add(() -> floorEvent(pod));
    }
    return writes;
  }

  /** The UpfCreated event the controller sends per attach, sent by a floor. */
  private void floorEvent(V1Pod pod) throws ApiException {
    core.createNamespacedEvent(pod.getMetadata().getNamespace(), new CoreV1Event()
        .metadata(new V1ObjectMeta().generateName(pod.getMetadata().getName() + "."))
        .involvedObject(new V1ObjectReference().kind("Pod").apiVersion("v1")
            .namespace(pod.getMetadata().getNamespace()).name(pod.getMetadata().getName()).uid(pod.getMetadata().getUid()))
        .reason("UpfCreated").message("floor").type("Normal")
        .source(new V1EventSource().component("bench-floor"))
        .firstTimestamp(OffsetDateTime.now()).lastTimestamp(OffsetDateTime.now()).count(1)).execute();
  }

  interface IndexTask {
    void run(int i) throws Exception;
  }

  private static void parallel(int n, int threads, IndexTask task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      AtomicInteger next = new AtomicInteger();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            task.run(i);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * With kube-controller-manager, waits until it has done its part for {@code pods}' UPFs (each
   * Deployment's status says its ReplicaSet made the pod), so one scenario's tail of ReplicaSets
   * and pods does not fall into the next one's window. Polls every 500 ms, outside any window.
   */
  private void settle(List<V1Pod> pods) {
    if (!controllerManager || pods.isEmpty()) {
      return;
    }
    String ns = pods.get(0).getMetadata().getNamespace();
    List<String> names = pods.stream().map(p -> UpfNames.forPod(p.getMetadata().getName())).toList();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
      Map<String, V1Deployment> byName = new TreeMap<>();
      for (V1Deployment d : apps.listNamespacedDeployment(ns).execute().getItems()) {
        byName.put(d.getMetadata().getName(), d);
      }
      return names.stream().map(byName::get).allMatch(d -> d != null && d.getStatus() != null
          && d.getStatus().getReplicas() != null && d.getStatus().getReplicas() >= 1
          && d.getStatus().getObservedGeneration() != null
          && d.getStatus().getObservedGeneration() >= d.getMetadata().getGeneration());
    });
  }

  private Map<String, String> controllerEnv(String namespace, String logLevel) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
    env.put("WATCH_NAMESPACES", namespace);
    env.put("WORKER_COUNT", Integer.toString(workers));
    // Thousands of UEs in one slice: far past what one OAI SMF can use (16 UPFs), but the point
    // is the controller's work per UE, so no budget. Everything else is the default (the OAI
    // profile: its UPFs take no block of UPF_POOL_CIDR, the SMF's pool is the slice's).
    env.put("UPF_MAX_PER_SLICE", "0");
    env.put("LOG_LEVEL", logLevel);
    if (productionLogs) {
      env.put("LOG_FORMAT", "json"); // as the Deployment sets it
    }
    return env;
  }

  private Optional<ResourceLimit> limits() {
    return controllerCpus > 0 || controllerMemory > 0 ? ResourceLimit.create(controllerCpus, controllerMemory) : Optional.empty();
  }

  private ControllerProcess startController(String namespace, String tag) throws Exception {
    return startController(namespace, tag, productionLogs ? "INFO" : "WARN", true);
  }

  /** @param awaitReady whether to return only once /readyz answers (polled every 5 ms) */
  private ControllerProcess startController(String namespace, String tag, String logLevel, boolean awaitReady)
      throws Exception {
    ControllerProcess c = new ControllerProcess(ControllerProcess.javaJar(jar, jvmOptions), controllerEnv(namespace, logLevel),
        nextPort++, logDir.resolve(tag + ".log"), limits());
    if (awaitReady) {
      c.awaitOk("/readyz", Duration.ofSeconds(120));
    }
    return c;
  }

  /**
   * The controller's own requests (dynamic_slicing_api_requests_total, counted client-side):
   * apiserver_request_total cannot tell the controller from the bench or the API server's own loops.
   */
  private static Map<String, Double> ownRequests(ControllerProcess c) {
    Map<String, Double> out = new TreeMap<>();
    String text = c.get("/metrics");
    if (text == null) {
      throw new IllegalStateException("cannot read the controller's /metrics"); // a 0 would pass the P4 checks
    }
    Matcher m = Pattern.compile("^dynamic_slicing_api_requests_total\\{verb=\"([^\"]*)\",resource=\"([^\"]*)\",?} ([0-9.eE+]+)$",
        Pattern.MULTILINE).matcher(text);
    while (m.find()) {
      out.put(m.group(1) + " " + m.group(2), Double.parseDouble(m.group(3)));
    }
    return out;
  }

  private static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> d = new TreeMap<>();
    after.forEach((k, v) -> {
      double x = v - before.getOrDefault(k, 0.0);
      if (x > 0) {
        d.put(k, x);
      }
    });
    return d;
  }

  /** Where the controller's attaches went, by phase: the sums and counts of its phase histogram. */
  record Phases(double queued, double prepared, double written, double count, double reconciles) {
    static Phases of(ControllerProcess c) {
      return new Phases(sum(c, "queued"), sum(c, "prepared"), sum(c, "written"),
          c.metric("dynamic_slicing_attach_phase_seconds_count", Map.of("phase", "written")),
          c.metric("dynamic_slicing_reconcile_total", Map.of()));
    }

    private static double sum(ControllerProcess c, String phase) {
      return c.metric("dynamic_slicing_attach_phase_seconds_sum", Map.of("phase", phase));
    }

    /** "queued q ms, prepared p ms, written w ms" per attach between {@code this} and {@code later}. */
    String meansUntil(Phases later, int attaches) {
      double n = later.count - count;
      return String.format("queued %.1f ms, prepared %.1f ms, written %.1f ms (means of %.0f timed attaches); %.2f reconciles per attach",
          (later.queued - queued) / n * 1e3, (later.prepared - prepared) / n * 1e3, (later.written - written) / n * 1e3, n,
          (later.reconciles - reconciles) / attaches);
    }

    double meanMillis(Phases later) {
      double n = later.count - count;
      return ((later.queued - queued) + (later.prepared - prepared) + (later.written - written)) / n * 1e3;
    }
  }

  /** A table row: id, measured, controller, floor (sequential), floor (same watch), against the floors, goal, met. */
  private void row(String id, String measured, String controller, String floorSeq, String floorWatch, String vs,
      String goal, String met) {
    rows.add(new String[] {id, measured, controller, floorSeq, floorWatch, vs, goal, met});
  }

  private static String ms(double v) {
    return String.format("%.1f ms", v);
  }

  private static String ms0(double v) {
    return String.format("%.0f ms", v);
  }

  private static String x(double v) {
    return String.format("%.2fx", v);
  }

  private static Spread spread(List<Double> samples) {
    return new Spread(samples);
  }

  private static List<Double> zip(List<Double> a, List<Double> b, java.util.function.DoubleBinaryOperator op) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      out.add(op.applyAsDouble(a.get(i), b.get(i)));
    }
    return out;
  }

  // ---------------------------------------------------------------- P1

  /**
   * P1: UEs made Ready one at a time; status write -> Deployment and Service seen by a watcher.
   * Controller and both floors take turns, UE by UE, so drift in the API server's speed hits all
   * alike. Each round of p1PerRound UEs is one sample of p50 and p99.
   */
  void p1() throws Exception {
    int warm = scale.warmup();
    int perRound = scale.p1PerRound();
    int n = warm + scale.p1Rounds() * perRound;
    String nsC = namespace("bench-p1");
    String nsA = namespace("bench-p1-seq");
    String nsB = namespace("bench-p1-watch");
    List<V1Pod> ctlPods = createUes(nsC, n);
    List<V1Pod> seqPods = createUes(nsA, n);
    List<V1Pod> watchPods = createUes(nsB, n);
    List<Double> c50 = new ArrayList<>();
    List<Double> c99 = new ArrayList<>();
    List<Double> a50 = new ArrayList<>();
    List<Double> a99 = new ArrayList<>();
    List<Double> b50 = new ArrayList<>();
    List<Double> b99 = new ArrayList<>();
    Stats all = new Stats();
    // Per round, per side (0 controller, 1 sequential floor, 2 watch floor): that round's latencies.
    Stats[][] rounds = new Stats[scale.p1Rounds()][3];
    for (Stats[] round : rounds) {
      for (int side = 0; side < 3; side++) {
        round[side] = new Stats();
      }
    }
    String phases;
    double phaseMillis;
    try (ControllerProcess c = startController(nsC, "p1"); UpfWatcher w = new UpfWatcher(client(kubeconfig, 0));
        WatchFloor floor = new WatchFloor(client(kubeconfig, 0), nsB, workers, pod -> floorWrites(pod, false))) {
      Phases before = null;
      for (int i = 0; i < n; i++) {
        if (i == warm) {
          before = Phases.of(c);
        }
        long t0 = System.nanoTime();
        setReady(ctlPods.get(i));
        double ctlMs = (w.awaitBoth(nsC, UpfNames.forPod(ctlPods.get(i).getMetadata().getName()), WAIT) - t0) / 1e6;
        t0 = System.nanoTime();
        setReady(seqPods.get(i));
        floorApplySequentially(seqPods.get(i));
        double seqMs = (w.awaitBoth(nsA, UpfNames.forPod(seqPods.get(i).getMetadata().getName()), WAIT) - t0) / 1e6;
        t0 = System.nanoTime();
        setReady(watchPods.get(i));
        double watchMs = (w.awaitBoth(nsB, UpfNames.forPod(watchPods.get(i).getMetadata().getName()), WAIT) - t0) / 1e6;
        floor.check();
        if (i >= warm) {
          int round = (i - warm) / perRound;
          rounds[round][0].add(ctlMs);
          rounds[round][1].add(seqMs);
          rounds[round][2].add(watchMs);
          all.add(ctlMs);
        }
      }
      Phases after = Phases.of(c);
      phases = before.meansUntil(after, n - warm);
      phaseMillis = before.meanMillis(after);
    }
    for (int r = 0; r < scale.p1Rounds(); r++) {
      c50.add(rounds[r][0].percentile(50));
      c99.add(rounds[r][0].percentile(99));
      a50.add(rounds[r][1].percentile(50));
      a99.add(rounds[r][1].percentile(99));
      b50.add(rounds[r][2].percentile(50));
      b99.add(rounds[r][2].percentile(99));
    }
    Spread c50s = spread(c50);
    Spread a50s = spread(a50);
    Spread b50s = spread(b50);
    String what = " (" + scale.p1Rounds() + " samples of " + perRound + " UEs, one at a time)";
    row("P1", "attach latency p50" + what, c50s.show(BenchMain::ms), a50s.show(BenchMain::ms), b50s.show(BenchMain::ms),
        String.format("%+.1f / %+.1f ms", c50s.median() - a50s.median(), c50s.median() - b50s.median()),
        "<= sequential floor + 10 ms", c50s.median() <= a50s.median() + 10 ? "yes" : "NO");
    Spread c99s = spread(c99);
    Spread a99s = spread(a99);
    Spread b99s = spread(b99);
    row("P1", "attach latency p99" + what, c99s.show(BenchMain::ms), a99s.show(BenchMain::ms), b99s.show(BenchMain::ms),
        x(c99s.median() / a99s.median()) + " / " + x(c99s.median() / b99s.median()),
        "<= 2x sequential floor", c99s.median() <= 2 * a99s.median() ? "yes" : "NO");
    row("P1", "moonshot: p50 below the sequential floor's", c50s.show(BenchMain::ms), a50s.show(BenchMain::ms), "",
        String.format("%+.1f ms", c50s.median() - a50s.median()), "< sequential floor",
        c50s.median() < a50s.median() ? "yes" : "NO");
    row("P1", "where the controller's attach went: " + phases + "; the rest of the mean "
        + String.format("%.1f ms", all.mean()) + " (status write, the watch events in and out) "
        + String.format("%.1f ms", all.mean() - phaseMillis), "", "", "", "", "", "");
  }

  // ---------------------------------------------------------------- P2 + P4

  /**
   * P2: p2 UEs made Ready at once (status written by STATUS_WRITERS threads), p2Samples times, the
   * controller and both floors in turn (the order rotates per sample); P4: the controller's
   * requests per attach over all samples, and after a restart with everything converged.
   */
  void p2AndP4() throws Exception {
    int n = scale.p2();
    int samples = scale.p2Samples();
    String nsC = namespace("bench-p2");
    String nsA = namespace("bench-p2-seq");
    String nsB = namespace("bench-p2-watch");
    List<V1Pod> ctlPods = createUes(nsC, n * samples);
    List<V1Pod> seqPods = createUes(nsA, n * samples);
    List<V1Pod> watchPods = createUes(nsB, n * samples);
    // Warm-up in a namespace of its own: the controller process starts JIT-cold, the floors run
    // in this already warm JVM; all should be measured warm.
    String nsWarm = namespace("bench-p2-warm");
    List<V1Pod> warm = createUes(nsWarm, scale.warmup() * 4);
    List<Double> ctlMs = new ArrayList<>();
    List<Double> seqMs = new ArrayList<>();
    List<Double> watchMs = new ArrayList<>();
    List<Double> serverCtl = new ArrayList<>();
    List<Double> serverSeq = new ArrayList<>();
    List<Double> serverWatch = new ArrayList<>();
    List<Double> ctlCpu = new ArrayList<>();
    List<Double> benchCpu = new ArrayList<>();
    Path clusterDir = kubeconfig.toAbsolutePath().getParent();
    CpuClock server = CpuClock.controlPlane(clusterDir);
    CpuClock self = new CpuClock(List.of(ProcessHandle.current().pid()));
    Map<String, Double> perAttach = new TreeMap<>();
    Map<String, Double> afterRestart;
    String phases;
    int total = warm.size() + n * samples;
    try (UpfWatcher w = new UpfWatcher(client(kubeconfig, 0));
        WatchFloor floor = new WatchFloor(client(kubeconfig, 0), nsB, workers, pod -> floorWrites(pod, true))) {
      ControllerProcess c = startController(nsC + "," + nsWarm, "p2");
      try {
        parallel(warm.size(), STATUS_WRITERS, i -> setReady(warm.get(i)));
        waitAll(w, warm);
        // The warm-up's events are sent after its writes: counted before they are all out, a late
        // one would land in the measured window (1 of 20 attaches at the smoke scale).
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
            .until(() -> ownRequests(c).getOrDefault("POST events", 0.0) >= warm.size());
        settle(warm);
        Phases phasesBefore = Phases.of(c);
        CpuClock controller = new CpuClock(List.of(c.process.pid()));
        for (int s = 0; s < samples; s++) {
          List<V1Pod> ctlBatch = ctlPods.subList(s * n, (s + 1) * n);
          List<V1Pod> seqBatch = seqPods.subList(s * n, (s + 1) * n);
          List<V1Pod> watchBatch = watchPods.subList(s * n, (s + 1) * n);
          for (int turn = 0; turn < 3; turn++) {
            switch ((turn + s) % 3) {
              case 0 -> {
                Map<String, Double> before = ownRequests(c);
                double server0 = server.seconds();
                double ctl0 = controller.seconds();
                long t0 = System.nanoTime();
                parallel(n, STATUS_WRITERS, i -> setReady(ctlBatch.get(i)));
                ctlMs.add((waitAll(w, ctlBatch) - t0) / 1e6);
                serverCtl.add(server.seconds() - server0);
                ctlCpu.add(controller.seconds() - ctl0);
                // Events are sent after the writes and are part of the controller's requests: wait
                // for one per attach (a second event would still show as more than 1.00 per attach).
                double eventsBefore = before.getOrDefault("POST events", 0.0);
                await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> ownRequests(c).getOrDefault("POST events", 0.0) - eventsBefore >= n);
                delta(before, ownRequests(c)).forEach((k, v) -> perAttach.merge(k, v, Double::sum));
                settle(ctlBatch);
              }
              case 1 -> {
                double server0 = server.seconds();
                double self0 = self.seconds();
                long t0 = System.nanoTime();
                parallel(n, workers, i -> { // issue 20's floor: each thread a UE's status, then its writes
                  setReady(seqBatch.get(i));
                  floorApplySequentially(seqBatch.get(i));
                  floorEvent(seqBatch.get(i));
                });
                seqMs.add((waitAll(w, seqBatch) - t0) / 1e6);
                serverSeq.add(server.seconds() - server0);
                benchCpu.add(self.seconds() - self0);
                settle(seqBatch);
              }
              default -> {
                double server0 = server.seconds();
                long t0 = System.nanoTime();
                parallel(n, STATUS_WRITERS, i -> setReady(watchBatch.get(i)));
                watchMs.add((waitAll(w, watchBatch) - t0) / 1e6);
                serverWatch.add(server.seconds() - server0);
                floor.check();
                settle(watchBatch);
              }
            }
          }
        }
        phases = phasesBefore.meansUntil(Phases.of(c), n * samples);
      } finally {
        c.close();
      }

      // P4, second half: restart with everything converged. The new process counts from zero,
      // and says when every UE it found at start was reconciled.
      try (ControllerProcess again = startController(nsC + "," + nsWarm, "p4")) {
        again.awaitLogLine("Every UE present at start reconciled once in " + nsC, WAIT);
        again.awaitLogLine("Every UE present at start reconciled once in " + nsWarm, WAIT);
        afterRestart = ownRequests(again);
      }
    }
    Spread ctl = spread(ctlMs);
    Spread seq = spread(seqMs);
    Spread watch = spread(watchMs);
    Spread vsSeq = spread(zip(ctlMs, seqMs, (a, b) -> a / b));
    Spread vsWatch = spread(zip(ctlMs, watchMs, (a, b) -> a / b));
    String what = n + " UEs Ready at once: all UPFs exist (" + samples + " samples)";
    row("P2", what, ctl.show(BenchMain::ms0), seq.show(BenchMain::ms0), watch.show(BenchMain::ms0),
        vsSeq.show(BenchMain::x) + " / " + vsWatch.show(BenchMain::x), "<= 1.15x both floors (medians of the ratios)",
        vsSeq.median() <= 1.15 && vsWatch.median() <= 1.15 ? "yes" : "NO");
    // Where the time goes: the API server and etcd share the machine with every run.
    row("P2", "CPU of kube-apiserver + etcd during the burst", spread(serverCtl).show(v -> String.format("%.1f s", v)),
        spread(serverSeq).show(v -> String.format("%.1f s", v)), spread(serverWatch).show(v -> String.format("%.1f s", v)),
        "", "", "");
    row("P2", "CPU of the controller process (1 CPU limit) / of the bench's JVM in the sequential floor's burst (incl. its watcher)",
        spread(ctlCpu).show(v -> String.format("%.1f s", v)), spread(benchCpu).show(v -> String.format("%.1f s", v)), "", "", "", "");
    row("P2", "where the controller's attaches went: " + phases, "", "", "", "", "", "");

    int attaches = n * samples;
    double reads = perAttach.entrySet().stream().filter(e -> e.getKey().startsWith("GET ")).mapToDouble(Map.Entry::getValue).sum();
    double objectWrites = perAttach.entrySet().stream()
        .filter(e -> e.getKey().matches("(APPLY|PATCH|POST|PUT) (configmaps|deployments|services)"))
        .mapToDouble(Map.Entry::getValue).sum();
    String breakdown = perAttach.entrySet().stream()
        .filter(e -> !e.getKey().startsWith("WATCH") && !e.getKey().startsWith("LIST"))
        .map(e -> e.getKey() + " " + String.format("%.2f", e.getValue() / attaches)).reduce((a, b) -> a + ", " + b).orElse("none");
    row("P4", "requests per attach (" + attaches + " attaches): " + breakdown,
        String.format("%.2f object writes, %.0f GETs", objectWrites / attaches, reads), "3 object writes", "", "",
        "= objects owned (3), 0 reads outside watches", Math.abs(objectWrites / attaches - 3) < 0.01 && reads == 0 ? "yes" : "NO");
    double writes = afterRestart.entrySet().stream().filter(e -> e.getKey().matches("(APPLY|PATCH|POST|PUT|DELETE) .*"))
        .mapToDouble(Map.Entry::getValue).sum();
    String restartBreakdown = afterRestart.entrySet().stream()
        .filter(e -> !e.getKey().startsWith("WATCH") && !e.getKey().startsWith("LIST"))
        .map(e -> e.getKey() + " " + String.format("%.0f", e.getValue())).reduce((a, b) -> a + ", " + b).orElse("none");
    double restartReads = afterRestart.entrySet().stream().filter(e -> e.getKey().startsWith("GET ")).mapToDouble(Map.Entry::getValue).sum();
    row("P4", "after a restart, everything converged (" + total + " UEs): " + restartBreakdown,
        String.format("%.0f writes, %.0f GETs", writes, restartReads), "0", "", "", "0 writes", writes == 0 ? "yes" : "NO");
  }

  /**
   * Waits until every pod's UPF (Deployment and Service) was seen; returns when the last one was
   * (the watcher's nanoTime of the event, not the time this noticed it). Waits on the watcher's
   * notifications: polling here would take CPU from the very processes being measured.
   */
  private static long waitAll(UpfWatcher w, List<V1Pod> pods) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long last = 0;
    for (V1Pod p : pods) {
      Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
      last = Math.max(last, w.awaitBoth(p.getMetadata().getNamespace(), UpfNames.forPod(p.getMetadata().getName()), left));
    }
    return last;
  }

  // ---------------------------------------------------------------- P3 + P5

  /** P3: memory with many attached UEs (and as many unselected pods); P5: start-up on that cluster. */
  void p3AndP5() throws Exception {
    String ns = namespace("bench-p3");
    List<V1Pod> ues = createUes(ns, scale.p3Ues());
    createOthers(ns, scale.p3Others());
    List<Double> rss = new ArrayList<>();
    List<Double> heap = new ArrayList<>();
    List<Double> live = new ArrayList<>();
    String histogram;
    try (UpfWatcher w = new UpfWatcher(client(kubeconfig, 0)); ControllerProcess c = startController(ns, "p3")) {
      parallel(ues.size(), 8, i -> setReady(ues.get(i)));
      waitAll(w, ues);
      settled(c, ues.size());
      settle(ues);
      // Five readings of the settled process, a second apart: a full GC, then the heap in use
      // and the resident set.
      for (int i = 0; i < 5; i++) {
        heap.add((double) c.heapAfterGc());
        rss.add((double) c.rssBytes());
        live.add((double) c.liveHeapBytes());
        if (i < 4) {
          Thread.sleep(1000); // spacing the readings is the point, not waiting for something
        }
      }
      histogram = histogram(c, Integer.getInteger("bench.histogram", 12));
    }
    int n = scale.p3Ues();
    Spread r = spread(rss);
    Spread h = spread(heap);
    row("P3", String.format("memory with %d attached UEs (ue.sh's ConfigMaps) + %d other pods: RSS (5 readings)", n, scale.p3Others()),
        r.show(v -> String.format("%.0f MiB", v / 1048576.0)) + String.format(" (%.1f KiB/UE)", r.median() / 1024.0 / n),
        "", "", "", "<= 256 MiB", r.median() <= 256L << 20 ? "yes" : "NO");
    profile.append("P3 heap after GC, largest classes (jcmd GC.class_histogram):\n").append(histogram);
    row("P3", "heap after GC (5 readings)",
        h.show(v -> String.format("%.0f MiB", v / 1048576.0)) + String.format(" (%.1f KiB/UE)", h.median() / 1024.0 / n),
        "", "", "", "<= 64 MiB", h.median() <= 64L << 20 ? "yes" : "NO");
    // The reading above is /metrics's heap in use after jcmd GC.run, so it also counts what was
    // allocated after the collection (the scrape itself); this one counts live objects only.
    Spread l = spread(live);
    row("P3", "live objects in the heap after a full GC (GC.class_histogram total, 5 readings)",
        l.show(v -> String.format("%.0f MiB", v / 1048576.0)) + String.format(" (%.1f KiB/UE)", l.median() / 1024.0 / n),
        "", "", "", "<= 64 MiB", l.median() <= 64L << 20 ? "yes" : "NO");

    // P5: p5Starts starts each way, the image's options (with its class-data archive) and
    // scripts/run.sh as a user starts it; times are when the bench sees the controller's own log
    // lines (no polling of its HTTP endpoints, which would take CPU from the start-up measured).
    List<Double> imageFirst = new ArrayList<>();
    List<Double> imageAll = new ArrayList<>();
    List<Double> runFirst = new ArrayList<>();
    List<Double> runAll = new ArrayList<>();
    for (int i = 0; i < scale.p5Starts(); i++) {
      try (ControllerProcess c = new ControllerProcess(ControllerProcess.javaJar(jar, jvmOptions),
          controllerEnv(ns, "INFO"), nextPort++, logDir.resolve("p5-image-" + i + ".log"), limits())) {
        imageFirst.add(c.awaitLogLine("First reconcile done", WAIT) / 1e6);
        imageAll.add(c.awaitLogLine("Every UE present at start reconciled", WAIT) / 1e6);
      }
      try (ControllerProcess c = new ControllerProcess(List.of("bash", "scripts/run.sh"),
          controllerEnv(ns, "INFO"), nextPort++, logDir.resolve("p5-run-" + i + ".log"), limits())) {
        runFirst.add(c.awaitLogLine("First reconcile done", WAIT) / 1e6);
        runAll.add(c.awaitLogLine("Every UE present at start reconciled", WAIT) / 1e6);
      }
    }
    Spread floor = listFloor(ns);
    String on = " on P3's cluster (" + scale.p5Starts() + " starts)";
    Spread f1 = spread(imageFirst);
    row("P5", "start -> first reconcile, the image's JVM options and archive" + on, f1.show(BenchMain::ms0),
        floor.show(BenchMain::ms0), "", x(f1.median() / floor.median()), "<= 3 s", f1.median() <= 3000 ? "yes" : "NO");
    Spread a1 = spread(imageAll);
    row("P5", "start -> every UE present at start reconciled, the image's options", a1.show(BenchMain::ms0), "", "", "",
        "", "");
    Spread f2 = spread(runFirst);
    row("P5", "start -> first reconcile, scripts/run.sh as a user starts it (the image's JVM options and archive, made by run.sh)", f2.show(BenchMain::ms0),
        floor.show(BenchMain::ms0), "", x(f2.median() / floor.median()), "<= 3 s", f2.median() <= 3000 ? "yes" : "NO");
    Spread a2 = spread(runAll);
    row("P5", "start -> every UE present at start reconciled, scripts/run.sh", a2.show(BenchMain::ms0), "", "", "", "", "");
  }

  private final StringBuilder profile = new StringBuilder();
  /** Jars only, for P5's floor and its class-data archive; null: the benchmark's own class path. */
  String floorClassPath;

  /**
   * P5's floor (ListFloor): a process with the controller's JVM options that makes the same four
   * LISTs and reads them to the end, as many times as the controller is started.
   */
  private Spread listFloor(String ns) throws Exception {
    // The controller's options, but with a class-data archive of the floor's own (the
    // controller's archive is for its jar): made by one untimed run, as the image makes its own.
    // The JVM archives classes from jars only: without a class path of jars (bench.sh makes one)
    // the floor runs without an archive.
    Path archive = logDir.resolve("p5-floor.jsa");
    List<String> options = jvmOptions.stream().filter(o -> !o.startsWith("-XX:SharedArchiveFile=")).toList();
    if (floorClassPath != null) {
      runListFloor(ns, concat(options, List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off")));
    }
    List<String> timed = Files.exists(archive) ? concat(options, List.of("-XX:SharedArchiveFile=" + archive)) : options;
    List<Double> runs = new ArrayList<>();
    for (int i = 0; i < scale.p5Starts(); i++) {
      runs.add(runListFloor(ns, timed));
    }
    return spread(runs);
  }

  /** One ListFloor process; its wall time in ms. */
  private double runListFloor(String ns, List<String> options) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(options);
    cmd.addAll(List.of("-cp", floorClassPath != null ? floorClassPath : System.getProperty("java.class.path"), ListFloor.class.getName(),
        kubeconfig.toString(), ns, "nexslice.io/dynamic-upf=true"));
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logDir.resolve("p5-floor.log").toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("P5 floor failed, see " + logDir.resolve("p5-floor.log"));
    }
    return (System.nanoTime() - start) / 1e6;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }


  /**
   * Waits for the steady state P3 measures: the work queue empty and every UpfCreated event
   * posted (the event broadcaster's backlog is transient memory, not what a UE costs).
   */
  private static void settled(ControllerProcess c, int ues) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
        c.metric("dynamic_slicing_workqueue_depth", Map.of()) == 0
            && c.metric("dynamic_slicing_api_requests_total", Map.of("resource", "events")) >= ues);
  }

  private static String histogram(ControllerProcess c, int top) throws Exception {
    List<String> lines = c.jcmd("GC.class_histogram");
    StringBuilder sb = new StringBuilder();
    lines.stream().filter(l -> l.matches("\\s+(num|-+|\\d+:\\s+\\d+).*")).limit(top + 2).forEach(l -> sb.append("    ").append(l).append('\n'));
    return sb.toString();
  }

  // ---------------------------------------------------------------- table

  String table() {
    String[] head = {"id", "measured", "controller", "floor: sequential", "floor: same watch", "controller vs floors",
        "goal", "met"};
    int[] width = new int[head.length];
    List<String[]> all = new ArrayList<>();
    all.add(head);
    all.addAll(rows);
    for (String[] r : all) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int j = 0; j < all.size(); j++) {
      String[] r = all.get(j);
      sb.append("|");
      for (int i = 0; i < r.length; i++) {
        sb.append(' ').append(String.format("%-" + width[i] + "s", r[i])).append(" |");
      }
      sb.append('\n');
      if (j == 0) {
        sb.append("|");
        for (int w : width) {
          sb.append("-".repeat(w + 2)).append("|");
        }
        sb.append('\n');
      }
    }
    if (profile.length() > 0) {
      sb.append('\n').append(profile);
    }
    return sb.toString();
  }
}
