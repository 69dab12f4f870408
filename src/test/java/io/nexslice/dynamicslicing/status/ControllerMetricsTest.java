package io.nexslice.dynamicslicing.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.nexslice.dynamicslicing.controller.ReadyObservations;
import io.nexslice.dynamicslicing.reconcile.AttachTiming;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ControllerMetricsTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final ReadyObservations observations = new ReadyObservations(nanos::get);
  private final ControllerMetrics metrics = new ControllerMetrics(observations);

  private static V1Pod pod(String uid, boolean ready) {
    return new V1Pod().metadata(new V1ObjectMeta().namespace("ns").name("ue-" + uid).uid(uid))
        .status(new V1PodStatus().conditions(List.of(new V1PodCondition().type("Ready").status(ready ? "True" : "False")
            .lastTransitionTime(OffsetDateTime.now().minusSeconds(30)))));
  }

  private Double sample(String name, String phase) {
    return phase == null ? metrics.registry().getSampleValue(name)
        : metrics.registry().getSampleValue(name, new String[] {"phase"}, new String[] {phase});
  }

  @Test
  void anAttachSeenTurningReadyIsSplitIntoItsPhasesOnTheSameClock() {
    long seen = nanos.get();
    observations.onUpdate(pod("a", false), pod("a", true));
    // 3 ms queued, 2 ms preparing, 9 ms writing, then 1 ms to the report.
    nanos.addAndGet(15_000_000L);
    metrics.upfCreated(pod("a", true), new AttachTiming(seen + 3_000_000L, seen + 5_000_000L, seen + 14_000_000L));
    assertEquals(0.015, sample("dynamic_slicing_attach_latency_seconds_sum", null), 1e-9);
    assertEquals(0.003, sample("dynamic_slicing_attach_phase_seconds_sum", "queued"), 1e-9);
    assertEquals(0.002, sample("dynamic_slicing_attach_phase_seconds_sum", "prepared"), 1e-9);
    assertEquals(0.009, sample("dynamic_slicing_attach_phase_seconds_sum", "written"), 1e-9);
  }

  @Test
  void phasesNeverAddUpToMoreThanTheAttachLatency() {
    // The reconcile began 2 ms and its writes 1 ms before the Ready event's handler stamped it
    // (the cache is updated before the handlers run, each on its own thread).
    long reconcileBegan = nanos.get();
    nanos.addAndGet(2_000_000L);
    long seen = nanos.get();
    observations.onUpdate(pod("d", false), pod("d", true));
    nanos.addAndGet(8_000_000L);
    metrics.upfCreated(pod("d", true), new AttachTiming(reconcileBegan, reconcileBegan + 1_000_000L, seen + 7_000_000L));
    double phases = sample("dynamic_slicing_attach_phase_seconds_sum", "queued")
        + sample("dynamic_slicing_attach_phase_seconds_sum", "prepared")
        + sample("dynamic_slicing_attach_phase_seconds_sum", "written");
    assertEquals(0.007, phases, 1e-9, "from the stamp to the last answer");
    assertEquals(0.008, sample("dynamic_slicing_attach_latency_seconds_sum", null), 1e-9);
  }

  @Test
  void anAttachWithoutASeenTransitionOrWithoutWritesHasNoPhasesItCannotTime() {
    // Listed already Ready (a restart): timed from the condition, 30 s ago; no phase is known.
    observations.onAdd(pod("b", true));
    metrics.upfCreated(pod("b", true), new AttachTiming(nanos.get(), nanos.get(), nanos.get()));
    assertEquals(1, sample("dynamic_slicing_attach_latency_seconds_count", null), 0.0);
    assertEquals(30, sample("dynamic_slicing_attach_latency_seconds_sum", null), 1.5);
    assertNull(sample("dynamic_slicing_attach_phase_seconds_count", "queued"));

    // Joined a slice UPF that existed: queued is known, the writes were not this reconcile's.
    long seen = nanos.get();
    observations.onUpdate(pod("c", false), pod("c", true));
    nanos.addAndGet(4_000_000L);
    metrics.upfCreated(pod("c", true), AttachTiming.withoutWrites(seen + 1_000_000L));
    assertEquals(0.001, sample("dynamic_slicing_attach_phase_seconds_sum", "queued"), 1e-9);
    assertNull(sample("dynamic_slicing_attach_phase_seconds_count", "written"));
  }
}
