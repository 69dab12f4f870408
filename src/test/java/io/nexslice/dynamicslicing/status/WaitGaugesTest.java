package io.nexslice.dynamicslicing.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.status.UeWaits.Wait;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The waiting UEs' gauges as Prometheus scrapes them from /metrics. */
class WaitGaugesTest {
  private static final Instant NOW = Instant.parse("2026-01-01T10:10:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private Optional<List<Wait>> current = Optional.of(List.of());
  private final CollectorRegistry registry = new CollectorRegistry(true);

  WaitGaugesTest() {
    new WaitGauges(() -> current, CLOCK).register(registry);
  }

  private static Wait readyMinutesAgo(String ns, String ue, String reason, int minutes) {
    return new Wait(ns, ue, reason, Optional.of(OffsetDateTime.ofInstant(NOW, ZoneOffset.UTC).minusMinutes(minutes)));
  }

  /** The samples of the two gauges, as text exposition lines. */
  private List<String> scrape() throws IOException {
    StringWriter out = new StringWriter();
    TextFormat.write004(out, registry.metricFamilySamples());
    List<String> samples = new ArrayList<>();
    out.toString().lines().filter(l -> !l.startsWith("#")).forEach(samples::add);
    return samples;
  }

  @Test
  void countsByNamespaceAndReasonAndNamesTheUeWaitingLongest() throws Exception {
    current = Optional.of(List.of(
        readyMinutesAgo("ns", "ue-2", Names.REASON_POOL_EXHAUSTED, 3),
        readyMinutesAgo("ns", "ue-1", Names.REASON_POOL_EXHAUSTED, 7),
        readyMinutesAgo("ns", "ue-3", Names.REASON_LIMIT_REACHED, 1),
        readyMinutesAgo("other", "ue-1", Names.REASON_POOL_EXHAUSTED, 2)));
    assertEquals(List.of(
        "dynamic_slicing_ues_waiting{namespace=\"ns\",reason=\"UpfLimitReached\",} 1.0",
        "dynamic_slicing_ues_waiting{namespace=\"ns\",reason=\"UpfPoolExhausted\",} 2.0",
        "dynamic_slicing_ues_waiting{namespace=\"other\",reason=\"UpfPoolExhausted\",} 1.0",
        "dynamic_slicing_ue_longest_wait_seconds{namespace=\"ns\",reason=\"UpfLimitReached\",ue=\"ue-3\",} 60.0",
        "dynamic_slicing_ue_longest_wait_seconds{namespace=\"ns\",reason=\"UpfPoolExhausted\",ue=\"ue-1\",} 420.0",
        "dynamic_slicing_ue_longest_wait_seconds{namespace=\"other\",reason=\"UpfPoolExhausted\",ue=\"ue-1\",} 120.0"),
        scrape());
  }

  @Test
  void aWaitThatEndedReadsZeroAndNamesNoUe() throws Exception {
    current = Optional.of(List.of(readyMinutesAgo("ns", "ue-1", Names.REASON_POOL_EXHAUSTED, 7)));
    scrape();
    current = Optional.of(List.of());
    assertEquals(List.of("dynamic_slicing_ues_waiting{namespace=\"ns\",reason=\"UpfPoolExhausted\",} 0.0"), scrape());
  }

  @Test
  void aReplicaThatCannotSaySaysNothing() throws Exception {
    current = Optional.of(List.of(readyMinutesAgo("ns", "ue-1", Names.REASON_POOL_EXHAUSTED, 7)));
    scrape();
    current = Optional.empty(); // a standby, or caches not synced
    assertEquals(List.of(), scrape());
  }

  @Test
  void aUeWithoutAReadyTimeOrReadyInTheFutureWaitsZeroSeconds() throws Exception {
    current = Optional.of(List.of(new Wait("ns", "ue-1", Names.WAIT_UNEXPLAINED, Optional.empty()),
        readyMinutesAgo("ns", "ue-2", Names.REASON_NAME_TAKEN, -5)));
    assertEquals(List.of(
        "dynamic_slicing_ues_waiting{namespace=\"ns\",reason=\"Pending\",} 1.0",
        "dynamic_slicing_ues_waiting{namespace=\"ns\",reason=\"UpfNameTaken\",} 1.0",
        "dynamic_slicing_ue_longest_wait_seconds{namespace=\"ns\",reason=\"Pending\",ue=\"ue-1\",} 0.0",
        "dynamic_slicing_ue_longest_wait_seconds{namespace=\"ns\",reason=\"UpfNameTaken\",ue=\"ue-2\",} 0.0"),
        scrape());
  }
}
