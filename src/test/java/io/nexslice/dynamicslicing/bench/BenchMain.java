package io.nexslice.dynamicslicing.bench;

import static org.awaitility.Awaitility.await;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
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
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UpfNames;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.pool.AddressPool;
import io.nexslice.dynamicslicing.profile.OaiUpfProfile;
import io.nexslice.dynamicslicing.slice.Slice;
import io.nexslice.dynamicslicing.write.ServerSideApplyWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmarks of docs/BENCHMARKS.md, each next to a floor measured in the same run: a bare
 * client in this JVM making the same writes with no informer, queue or reconcile logic.
 *
 * <pre>
 * java ... BenchMain --kubeconfig K --jar target/dynamic-slicing.jar [--scale full|smoke] [--out file]
 * </pre>
 *
 * It prints one table; it asserts nothing. The control plane should run without
 * kube-controller-manager so ReplicaSets do not compete for the API server.
 */
public final class BenchMain {
  public record Scale(int p1, int warmup, int p2, int p3Ues, int p3Others) {}

  static final Scale FULL = new Scale(200, 20, 500, 5000, 5000);
  public static final Scale SMOKE = new Scale(10, 3, 20, 40, 40);
  static final int WORKERS = 4;
  static final Duration WAIT = Duration.ofMinutes(10);

  private final ApiClient client;
  private final CoreV1Api core;
  private final Path kubeconfig;
  private final Path jar;
  private final Scale scale;
  private final List<String> jvmOptions;
  /** The Deployment's CPU limit for the controller process (a cgroup quota); 0: none. */
  double controllerCpus;
  /** The Deployment's logs: INFO as JSON lines, instead of WARN text. */
  boolean productionLogs;
  private final Path logDir;
  private final List<String[]> rows = new ArrayList<>();
  private final ServerSideApplyWriter floorWriter;
  private final UpfDesiredState floorDesired =
      new UpfDesiredState(new OaiUpfProfile(), Optional.empty(), 1, sst -> "oai-nrf");
  private final AddressPool floorPool = new AddressPool("10.128.0.0/9", 24);
  private final AtomicInteger floorBlock = new AtomicInteger();
  private int nextPort = 18700 + (int) (ProcessHandle.current().pid() % 500);

  public BenchMain(Path kubeconfig, Path jar, Scale scale, List<String> jvmOptions) throws Exception {
    this.kubeconfig = kubeconfig;
    this.jar = jar;
    this.scale = scale;
    this.jvmOptions = jvmOptions;
    this.client = client(kubeconfig, 60);
    this.core = new CoreV1Api(client);
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
    BenchMain bench = new BenchMain(Path.of(a.get("--kubeconfig")), Path.of(a.getOrDefault("--jar", "target/dynamic-slicing.jar")),
        scale, jvm);
    bench.floorClassPath = a.get("--floor-classpath");
    bench.controllerCpus = Double.parseDouble(a.getOrDefault("--controller-cpus", "0"));
    bench.productionLogs = "json".equals(a.getOrDefault("--controller-logs", "warn"));
    String table = bench.run(a.getOrDefault("--only", "P1,P2,P3"));
    System.out.println(table);
    if (a.containsKey("--out")) {
      Files.writeString(Path.of(a.get("--out")), table);
    }
    System.exit(0);
  }

  public String runAll() throws Exception {
    return run("P1,P2,P3");
  }

  /** Runs the named scenarios (P2 includes P4, P3 includes P5), in the table's order. */
  public String run(String only) throws Exception {
    List<String> ids = List.of(only.toUpperCase().split(","));
    if (ids.contains("P1")) {
      p1();
    }
    if (ids.contains("P2") || ids.contains("P4")) {
      p2AndP4();
    }
    if (ids.contains("P3") || ids.contains("P5")) {
      p3AndP5();
    }
    return table();
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
    return name;
  }

  private List<V1Pod> createPods(String ns, String prefix, int n, boolean ue) throws Exception {
    List<V1Pod> out = Collections.synchronizedList(new ArrayList<>());
    parallel(n, 8, i -> {
      V1PodSpec spec = new V1PodSpec().automountServiceAccountToken(false)
          .containers(List.of(new V1Container().name("ue").image("ueransim:bench")));
      spec.setOverhead(null);
      Map<String, String> labels = ue ? Map.of("nexslice.io/dynamic-upf", "true") : Map.of("app", "other");
      out.add(core.createNamespacedPod(ns, new V1Pod().metadata(new V1ObjectMeta().name(String.format("%s-%05d", prefix, i))
          .labels(labels)).spec(spec)).execute());
    });
    out.sort(Comparator.comparing(p -> p.getMetadata().getName()));
    return out;
  }

  private void setReady(V1Pod pod) throws ApiException {
    String now = OffsetDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String patch = "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
        + "\"lastTransitionTime\":\"" + now + "\"}]}}";
    PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPodStatus(pod.getMetadata().getName(),
        pod.getMetadata().getNamespace(), new V1Patch(patch)).buildCall(null), V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
  }

  /** The floor's writes for one UE: the same three server-side applies the controller makes. */
  private void floorApply(V1Pod pod) throws ApiException {
    UpfObjects upf = floorDesired.build(UeRef.of(pod), new Slice(1, Optional.of("FFFFFF"), "oai"),
        floorPool.block(floorBlock.getAndIncrement() % floorPool.blockCount()));
    for (var o : upf.all()) {
      floorWriter.apply(o);
    }
  }

  /** P2's floor makes all the controller's writes: the applies and the UpfCreated event. */
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

  private ControllerProcess startController(String namespace, String tag) throws Exception {
    return startController(namespace, tag, productionLogs ? "INFO" : "WARN", true);
  }

  /** @param awaitReady whether to return only once /readyz answers (polled every 5 ms) */
  private ControllerProcess startController(String namespace, String tag, String logLevel, boolean awaitReady)
      throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("WATCH_NAMESPACES", namespace);
    env.put("WORKER_COUNT", Integer.toString(WORKERS));
    // Thousands of UEs in one slice: far past what one OAI SMF can use (16 UPFs), but the point
    // is the controller's work per UE, so no budget; the OAI profile takes no pool block either.
    env.put("UPF_MAX_PER_SLICE", "0");
    env.put("UPF_POOL_CIDR", "12.0.0.0/8");
    env.put("UPF_POOL_BLOCK_PREFIX", "24");
    env.put("LOG_LEVEL", logLevel);
    if (productionLogs) {
      env.put("LOG_FORMAT", "json"); // as the Deployment sets it
    }
    ControllerProcess c = new ControllerProcess(jar, jvmOptions, env, nextPort++, logDir.resolve(tag + ".log"),
        controllerCpus > 0 ? CpuLimit.create(controllerCpus) : Optional.empty());
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

  private void row(String id, String measured, String controller, String floor, String ratio, String goal, String met) {
    rows.add(new String[] {id, measured, controller, floor, ratio, goal, met});
  }

  private static String ms(double v) {
    return String.format("%.1f ms", v);
  }

  // ---------------------------------------------------------------- P1

  /** P1: UEs made Ready one at a time; status write -> Deployment and Service seen by a watcher. */
  void p1() throws Exception {
    int n = scale.p1() + scale.warmup();
    String nsC = namespace("bench-p1");
    String nsF = namespace("bench-p1-floor");
    List<V1Pod> ctlPods = createPods(nsC, "ue", n, true);
    List<V1Pod> floorPods = createPods(nsF, "ue", n, false);
    Stats ctl = new Stats();
    Stats floor = new Stats();
    try (ControllerProcess c = startController(nsC, "p1"); UpfWatcher w = new UpfWatcher(client(kubeconfig, 0))) {
      for (int i = 0; i < n; i++) {
        // Alternate controller and floor so drift in the API server's speed hits both alike.
        long t0 = System.nanoTime();
        setReady(ctlPods.get(i));
        long seen = w.awaitBoth(nsC, UpfNames.forPod(ctlPods.get(i).getMetadata().getName()), WAIT);
        if (i >= scale.warmup()) {
          ctl.add((seen - t0) / 1e6);
        }
        t0 = System.nanoTime();
        setReady(floorPods.get(i));
        floorApply(floorPods.get(i));
        seen = w.awaitBoth(nsF, UpfNames.forPod(floorPods.get(i).getMetadata().getName()), WAIT);
        if (i >= scale.warmup()) {
          floor.add((seen - t0) / 1e6);
        }
      }
    }
    double c50 = ctl.percentile(50);
    double f50 = floor.percentile(50);
    double c99 = ctl.percentile(99);
    double f99 = floor.percentile(99);
    row("P1", "attach latency p50 (" + scale.p1() + " UEs, one at a time)", ms(c50), ms(f50),
        String.format("%+.1f ms", c50 - f50), "<= floor + 10 ms", c50 <= f50 + 10 ? "yes" : "NO");
    row("P1", "attach latency p99", ms(c99), ms(f99), String.format("%.2fx", c99 / f99), "<= 2x floor",
        c99 <= 2 * f99 ? "yes" : "NO");
  }

  // ---------------------------------------------------------------- P2 + P4

  /** P2: UEs made Ready at once; P4: API requests per attach and after a restart. */
  void p2AndP4() throws Exception {
    int n = scale.p2();
    String nsC = namespace("bench-p2");
    String nsF = namespace("bench-p2-floor");
    List<V1Pod> ctlPods = createPods(nsC, "ue", n, true);
    List<V1Pod> floorPods = createPods(nsF, "ue", n, false);
    // Warm-up in a namespace of its own: the controller process starts JIT-cold, the floor runs
    // in this already warm JVM; both should be measured warm.
    String nsWarm = namespace("bench-p2-warm");
    List<V1Pod> warm = createPods(nsWarm, "ue", scale.warmup() * 4, true);
    double ctlMs;
    double floorMs;
    Map<String, Double> perAttach;
    Map<String, Double> afterRestart;
    CpuClock server = CpuClock.controlPlane(kubeconfig.toAbsolutePath().getParent());
    CpuClock self = new CpuClock(List.of(ProcessHandle.current().pid()));
    double serverCtl;
    double serverFloor;
    double ctlCpu;
    double floorCpu;
    try (UpfWatcher w = new UpfWatcher(client(kubeconfig, 0))) {
      ControllerProcess c = startController(nsC + "," + nsWarm, "p2");
      try {
        parallel(warm.size(), WORKERS, i -> setReady(warm.get(i)));
        waitAll(w, warm);
        // The warm-up's events are sent after its writes: counted before they are all out, a late
        // one would land in the measured window (1 of 20 attaches at the smoke scale).
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
            .until(() -> ownRequests(c).getOrDefault("POST events", 0.0) >= warm.size());
        Map<String, Double> before = ownRequests(c);
        CpuClock controller = new CpuClock(List.of(c.process.pid()));
        double server0 = server.seconds();
        double ctl0 = controller.seconds();
        long t0 = System.nanoTime();
        parallel(n, WORKERS, i -> setReady(ctlPods.get(i)));
        ctlMs = (waitAll(w, ctlPods) - t0) / 1e6;
        serverCtl = server.seconds() - server0;
        ctlCpu = controller.seconds() - ctl0;
        // Events are sent after the writes and are part of the controller's requests: wait for
        // one per attach (a second event would still show as more than 1.00 per attach).
        double eventsBefore = before.getOrDefault("POST events", 0.0);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
            .until(() -> ownRequests(c).getOrDefault("POST events", 0.0) - eventsBefore >= n);
        perAttach = delta(before, ownRequests(c));
      } finally {
        c.close();
      }

      double server0 = server.seconds();
      double self0 = self.seconds();
      long t0 = System.nanoTime();
      parallel(n, WORKERS, i -> {
        setReady(floorPods.get(i));
        floorApply(floorPods.get(i));
        floorEvent(floorPods.get(i));
      });
      floorMs = (waitAll(w, floorPods) - t0) / 1e6;
      serverFloor = server.seconds() - server0;
      floorCpu = self.seconds() - self0;

      // P4, second half: restart with everything converged. The new process counts from zero.
      try (ControllerProcess again = startController(nsC, "p4")) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (again.metric("dynamic_slicing_reconcile_total", null) < n && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        Thread.sleep(1000);
        afterRestart = ownRequests(again);
      }
    }
    row("P2", n + " UEs Ready at once: all UPFs exist", ms(ctlMs), ms(floorMs), String.format("%.2fx", ctlMs / floorMs),
        "<= 1.15x floor", ctlMs <= 1.15 * floorMs ? "yes" : "NO");
    // Where the time goes: the API server and etcd share the machine with both runs.
    row("P2", "CPU of kube-apiserver + etcd during the run", String.format("%.1f s", serverCtl),
        String.format("%.1f s", serverFloor), String.format("%.2fx", serverCtl / serverFloor), "", "");
    row("P2", "CPU of the controller process / of the floor's JVM (incl. the bench's watcher)", String.format("%.1f s", ctlCpu),
        String.format("%.1f s", floorCpu), "", "", "");

    Map<String, Double> controller = new TreeMap<>(perAttach);
    double reads = controller.entrySet().stream().filter(e -> e.getKey().startsWith("GET ")).mapToDouble(Map.Entry::getValue).sum();
    double objectWrites = controller.entrySet().stream()
        .filter(e -> e.getKey().matches("(APPLY|PATCH|POST|PUT) (configmaps|deployments|services)"))
        .mapToDouble(Map.Entry::getValue).sum();
    String breakdown = controller.entrySet().stream()
        .filter(e -> !e.getKey().startsWith("WATCH") && !e.getKey().startsWith("LIST"))
        .map(e -> e.getKey() + " " + String.format("%.2f", e.getValue() / n)).reduce((x, y) -> x + ", " + y).orElse("none");
    row("P4", "requests per attach: " + breakdown, String.format("%.2f object writes, %.0f GETs", objectWrites / n, reads),
        "3 object writes", "", "= objects owned (3), 0 reads outside watches",
        Math.abs(objectWrites / n - 3) < 0.01 && reads == 0 ? "yes" : "NO");
    double writes = afterRestart.entrySet().stream().filter(e -> e.getKey().matches("(APPLY|PATCH|POST|PUT|DELETE) .*"))
        .mapToDouble(Map.Entry::getValue).sum();
    String restartBreakdown = afterRestart.entrySet().stream()
        .filter(e -> !e.getKey().startsWith("WATCH") && !e.getKey().startsWith("LIST"))
        .map(e -> e.getKey() + " " + String.format("%.0f", e.getValue())).reduce((x, y) -> x + ", " + y).orElse("none");
    double restartReads = afterRestart.entrySet().stream().filter(e -> e.getKey().startsWith("GET ")).mapToDouble(Map.Entry::getValue).sum();
    row("P4", "after a restart, everything converged (" + n + " UEs): " + restartBreakdown,
        String.format("%.0f writes, %.0f GETs", writes, restartReads), "0", "", "0 writes", writes == 0 ? "yes" : "NO");
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
    List<V1Pod> ues = createPods(ns, "ue", scale.p3Ues(), true);
    createPods(ns, "other", scale.p3Others(), false);
    long rss;
    long heap;
    String histogram;
    try (UpfWatcher w = new UpfWatcher(client(kubeconfig, 0)); ControllerProcess c = startController(ns, "p3")) {
      parallel(ues.size(), 8, i -> setReady(ues.get(i)));
      waitAll(w, ues);
      settled(c, ues.size());
      heap = c.heapAfterGc();
      Thread.sleep(500);
      rss = c.rssBytes();
      histogram = histogram(c, Integer.getInteger("bench.histogram", 12));
    }
    int n = scale.p3Ues();
    row("P3", String.format("memory with %d attached UEs + %d other pods: RSS", n, scale.p3Others()),
        String.format("%.0f MiB (%.1f KiB/UE)", rss / 1048576.0, rss / 1024.0 / n), "", "", "<= 256 MiB",
        rss <= 256L << 20 ? "yes" : "NO");
    profile.append("P3 heap after GC, largest classes (jcmd GC.class_histogram):\n").append(histogram);
    row("P3", "heap after GC", String.format("%.0f MiB (%.1f KiB/UE)", heap / 1048576.0, heap / 1024.0 / n), "", "",
        "<= 64 MiB", heap <= 64L << 20 ? "yes" : "NO");

    // P5: the best of three starts, as for its floor (the first start also warms the page cache).
    // Both times are when the bench sees the controller's own log lines (no polling of its HTTP
    // endpoints, which would take CPU from the start-up being measured).
    long readyNanos = Long.MAX_VALUE;
    long firstNanos = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      try (ControllerProcess c = startController(ns, "p5-" + i, "INFO", false)) {
        long ready = c.awaitLogLine("Caches of ", WAIT);
        long first = c.awaitLogLine("First reconcile done", WAIT);
        if (first < firstNanos) {
          firstNanos = first;
          readyNanos = ready;
        }
      }
    }
    double floorMs = listFloorMillis(ns);
    row("P5", "start -> caches synced (its log line), on P3's cluster (best of 3)", ms(readyNanos / 1e6), ms(floorMs),
        String.format("%.2fx", readyNanos / 1e6 / floorMs), "", "");
    row("P5", "start -> first reconcile (best of 3)", ms(firstNanos / 1e6), "", "", "<= 3 s",
        firstNanos <= 3e9 ? "yes" : "NO");
  }

  private final StringBuilder profile = new StringBuilder();
  /** Jars only, for P5's floor and its class-data archive; null: the benchmark's own class path. */
  String floorClassPath;

  /**
   * P5's floor (ListFloor): a process with the controller's JVM options that makes the same four
   * LISTs and reads them to the end. The best of three, as the controller's start is measured warm
   * too (its jar and the API server's watch cache are hot by then).
   */
  private double listFloorMillis(String ns) throws Exception {
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
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      best = Math.min(best, runListFloor(ns, timed));
    }
    return best;
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
  private static void settled(ControllerProcess c, int ues) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      double posted = c.metric("dynamic_slicing_api_requests_total", "resource=\"events\"");
      if (c.metric("dynamic_slicing_workqueue_depth", null) == 0 && posted >= ues) {
        Thread.sleep(1000); // and the reconciles those last events came from have ended
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the controller did not settle within " + WAIT);
  }

  private static String histogram(ControllerProcess c, int top) throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p = new ProcessBuilder(jcmd, Long.toString(c.process.pid()), "GC.class_histogram").redirectErrorStream(true).start();
    List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
    p.waitFor();
    StringBuilder sb = new StringBuilder();
    lines.stream().filter(l -> l.matches("\\s+(num|-+|\\d+:\\s+\\d+).*")).limit(top + 2).forEach(l -> sb.append("    ").append(l).append('\n'));
    return sb.toString();
  }

  // ---------------------------------------------------------------- table

  String table() {
    String[] head = {"id", "measured", "controller", "floor", "ratio", "goal", "met"};
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
