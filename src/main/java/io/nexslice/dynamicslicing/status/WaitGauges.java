package io.nexslice.dynamicslicing.status;

import io.nexslice.dynamicslicing.status.UeWaits.Wait;
import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Supplier;

/**
 * The waiting UEs as two gauges, computed at scrape time:
 * {@code dynamic_slicing_ues_waiting{namespace,reason}}, how many, and
 * {@code dynamic_slicing_ue_longest_wait_seconds{namespace,reason,ue}}, how long the one waiting
 * longest has been Ready, and which UE it is. One series per namespace and reason, whatever the
 * number of UEs: the {@code ue} label names only the longest waiter, so an alert can say who.
 *
 * <p>The wait is measured from the pod's Ready condition, not from when this process noticed, so it
 * survives controller restarts and leader changes; an alert on it can wait minutes without the
 * clock starting over at every restart.
 */
final class WaitGauges extends Collector {
  private final Supplier<Optional<List<Wait>>> waits;
  private final Clock clock;
  /** (namespace, reason) pairs once reported: they stay, at 0, so a graph or an alert sees the wait end. */
  private final Set<String> seen = new ConcurrentSkipListSet<>();

  /**
   * @param waits the waiting UEs; empty when this replica cannot say (a standby, which does not
   *     reconcile and so knows no reasons, or caches not synced yet, where every UE looks unserved)
   */
  WaitGauges(Supplier<Optional<List<Wait>>> waits, Clock clock) {
    this.waits = waits;
    this.clock = clock;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    GaugeMetricFamily count = new GaugeMetricFamily("dynamic_slicing_ues_waiting",
        "Attached UEs without a usable UPF, by reason: the Warning event's reason, UeConfigPending, or Pending"
            + " (nothing said yet: not reconciled, or reconciles failing).", List.of("namespace", "reason"));
    GaugeMetricFamily longest = new GaugeMetricFamily("dynamic_slicing_ue_longest_wait_seconds",
        "Seconds since the UE named by ue, the longest waiting of its namespace and reason, became Ready.",
        List.of("namespace", "reason", "ue"));
    Optional<List<Wait>> now = waits.get();
    if (now.isEmpty()) {
      return List.of(count, longest);
    }
    Map<String, Integer> counts = new TreeMap<>();
    Map<String, Wait> oldest = new TreeMap<>();
    Comparator<Wait> earlier = Comparator.comparing((Wait w) -> w.readySince().orElse(OffsetDateTime.MAX))
        .thenComparing(Wait::ue);
    for (Wait w : now.get()) {
      String key = w.namespace() + "\u0000" + w.reason();
      counts.merge(key, 1, Integer::sum);
      oldest.merge(key, w, (a, b) -> earlier.compare(a, b) <= 0 ? a : b);
    }
    seen.addAll(counts.keySet());
    for (String key : seen) {
      String[] nsReason = key.split("\u0000", 2);
      count.addMetric(List.of(nsReason[0], nsReason[1]), counts.getOrDefault(key, 0));
    }
    OffsetDateTime at = OffsetDateTime.now(clock);
    oldest.values().forEach(w -> longest.addMetric(List.of(w.namespace(), w.reason(), w.ue()), secondsSince(w, at)));
    return List.of(count, longest);
  }

  /** 0 for a UE whose Ready condition has no time (or one in the future): its wait is unknown, not long. */
  private static double secondsSince(Wait w, OffsetDateTime at) {
    return w.readySince().map(since -> Math.max(0, Duration.between(since, at).toMillis()) / 1000.0).orElse(0.0);
  }
}
