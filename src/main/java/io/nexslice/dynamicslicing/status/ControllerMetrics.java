package io.nexslice.dynamicslicing.status;

import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.controller.NamespaceController;
import io.nexslice.dynamicslicing.controller.ReadyObservations;
import io.nexslice.dynamicslicing.pool.UeKey;
import io.nexslice.dynamicslicing.reconcile.AttachTiming;
import io.nexslice.dynamicslicing.reconcile.ReconcileListener;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The controller's Prometheus metrics, in a registry of its own (several controllers may share
 * a JVM in tests). Counters and the latency histogram are fed by the reconcilers; gauges are
 * computed from the informer caches at scrape time, so they are always exactly the cluster state.
 * The waiting UEs' gauges join the two: who waits comes from the caches, why from the reconcilers.
 */
public final class ControllerMetrics implements ReconcileListener {
  private final CollectorRegistry registry = new CollectorRegistry(true);
  private final ReadyObservations readyObservations;
  private final UeWaits waits = new UeWaits();
  private final Counter reconciles = Counter.build("dynamic_slicing_reconcile_total",
          "Reconciles by result (success, error) and reason (ok, api_<HTTP code>, exception).")
      .labelNames("result", "reason").register(registry);
  private final Histogram attachLatency = Histogram.build("dynamic_slicing_attach_latency_seconds",
          "From the UE pod's Ready transition (the watch event this process saw; else the Ready condition's"
              + " lastTransitionTime, 1 s resolution) to its UPF objects written.")
      .buckets(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60).register(registry);
  private final Histogram attachPhases = Histogram.build("dynamic_slicing_attach_phase_seconds",
          "Attach latency by phase, for attaches timed from the Ready watch event: queued (the event seen ->"
              + " the reconcile that served the UE began: handlers, work queue, other reconciles ahead), prepared"
              + " (-> its writes began: cache reads, slice, address, desired state, comparison), written (-> the"
              + " API server answered the last of the UPF's writes, sent at once).")
      .labelNames("phase")
      .buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30).register(registry);

  public ControllerMetrics(ReadyObservations readyObservations) {
    this.readyObservations = readyObservations;
  }

  /**
   * Adds the gauges computed from {@code view} at scrape time. Separate from the constructor
   * because the reconcilers that feed the counters come first and the view is made of them.
   *
   * @param synced true once every cache has its first list: before that, what the caches lack may still exist
   */
  public void collectFrom(ClusterView view, String profile, BooleanSupplier leader, BooleanSupplier synced) {
    new Collector() {
      @Override
      public List<MetricFamilySamples> collect() {
        return gauges(view, profile, leader.getAsBoolean());
      }
    }.register(registry);
    // Only the replica that reconciles knows why a UE waits; before its caches are synced every UE
    // would look unserved.
    new WaitGauges(() -> leader.getAsBoolean() && synced.getAsBoolean() ? Optional.of(view.waiting(waits)) : Optional.empty(),
        Clock.systemUTC()).register(registry);
  }

  public CollectorRegistry registry() {
    return registry;
  }

  @Override
  public void reconciled(Request ue, String outcome) {
    boolean ok = outcome.equals("ok");
    reconciles.labels(ok ? "success" : "error", outcome.replace("api_error_", "api_")).inc();
  }

  @Override
  public void upfCreated(V1Pod ue, AttachTiming timing) {
    if (ue == null) {
      return;
    }
    readyObservations.takeReadySince(ue).ifPresent(since -> {
      attachLatency.observe(since.seconds());
      since.seenNanos().ifPresent(seen -> {
        // Each phase is counted from the Ready event at the earliest: the informer updates its
        // cache before it calls the handlers, each on its own thread, so the reconcile may begin
        // (even write) before ReadyObservations stamps the event. Counted from the reconcile's
        // start, the phases then added up to more than the attach latency (seen in CI).
        long began = Math.max(seen, timing.reconcileBegan());
        attachPhases.labels("queued").observe((began - seen) / 1e9);
        if (timing.wrote()) {
          long writesBegan = Math.max(began, timing.writesBegan());
          attachPhases.labels("prepared").observe((writesBegan - began) / 1e9);
          attachPhases.labels("written").observe(Math.max(0, timing.writesEnded() - writesBegan) / 1e9);
        }
      });
    });
  }

  @Override
  public void waiting(UeKey ue, String reason) {
    waits.waiting(ue, reason);
  }

  @Override
  public void notWaiting(UeKey ue) {
    waits.notWaiting(ue);
  }

  static List<Collector.MetricFamilySamples> gauges(ClusterView view, String profile, boolean leader) {
    GaugeMetricFamily ues = new GaugeMetricFamily("dynamic_slicing_ues_attached", "Attached UEs (served by a UPF).",
        List.of("namespace", "sst", "sd", "dnn"));
    Map<List<String>, Integer> byUe = new TreeMap<>(ControllerMetrics::compare);
    view.attached().forEach(u -> byUe.merge(List.of(u.namespace(), u.slice().get("sst"), u.slice().get("sd"),
        u.slice().get("dnn")), 1, Integer::sum));
    byUe.forEach((labels, n) -> ues.addMetric(labels, n));

    GaugeMetricFamily upfs = new GaugeMetricFamily("dynamic_slicing_upfs", "UPF Deployments managed.",
        List.of("namespace", "profile", "mode"));
    Map<List<String>, Integer> byUpf = new TreeMap<>(ControllerMetrics::compare);
    view.upfs().forEach(u -> byUpf.merge(List.of(u.namespace(), profile, u.mode()), 1, Integer::sum));
    byUpf.forEach((labels, n) -> upfs.addMetric(labels, n));

    GaugeMetricFamily sliceUpfs = new GaugeMetricFamily("dynamic_slicing_slice_upfs",
        "Per-UE UPFs of each slice, the count UPF_MAX_PER_SLICE bounds.", List.of("namespace", "sst", "sd", "dnn"));
    Map<List<String>, Integer> bySlice = new TreeMap<>(ControllerMetrics::compare);
    view.upfs().stream().filter(u -> u.mode().equals("per-ue")).forEach(u -> bySlice.merge(
        List.of(u.namespace(), u.slice().get("sst"), u.slice().get("sd"), u.slice().get("dnn")), 1, Integer::sum));
    bySlice.forEach((labels, n) -> sliceUpfs.addMetric(labels, n));
    GaugeMetricFamily limit = new GaugeMetricFamily("dynamic_slicing_slice_upf_limit",
        "UPF_MAX_PER_SLICE: the most per-UE UPFs of one slice; 0 means no limit.", view.upfLimitPerSlice());
    GaugeMetricFamily waiting = new GaugeMetricFamily("dynamic_slicing_slice_ues_waiting",
        "Ready UEs without a UPF because their slice's UPF budget is used up.", List.of("namespace", "sst", "sd", "dnn"));
    view.waitingForBudget().forEach(w -> waiting.addMetric(
        List.of(w.namespace(), w.slice().get("sst"), w.slice().get("sd"), w.slice().get("dnn")), w.ues()));

    GaugeMetricFamily depth = new GaugeMetricFamily("dynamic_slicing_workqueue_depth", "Keys waiting in the work queue.",
        List.of("namespace"));
    for (NamespaceController nc : view.namespaces()) {
      depth.addMetric(List.of(nc.label()), nc.queueDepth());
    }
    GaugeMetricFamily leaderGauge = new GaugeMetricFamily("dynamic_slicing_leader",
        "1 when this instance reconciles (leader, or leader election off).", leader ? 1 : 0);
    CounterMetricFamily requests = new CounterMetricFamily(
        "dynamic_slicing_api_requests_total", "Requests this process made to the API server, by verb and resource.",
        List.of("verb", "resource"));
    ApiRequestCounter.INSTANCE.snapshot().forEach((k, n) -> {
      String[] vr = k.split(" ", 2);
      requests.addMetric(List.of(vr[0], vr[1]), n);
    });
    List<Collector.MetricFamilySamples> out = new ArrayList<>();
    out.add(requests);
    out.add(ues);
    out.add(upfs);
    out.add(sliceUpfs);
    out.add(limit);
    out.add(waiting);
    view.registeredWithSmf().ifPresent(n -> out.add(new GaugeMetricFamily("dynamic_slicing_smf_registered_upfs",
        "UPFs the free5GC SMF holds by this controller's registration (FREE5GC_SMF_URL).", n)));
    out.add(depth);
    out.add(leaderGauge);
    return out;
  }

  private static int compare(List<String> a, List<String> b) {
    return String.join("\u0000", a).compareTo(String.join("\u0000", b));
  }
}
