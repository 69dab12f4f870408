package io.nexslice.dynamicslicing.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReadyObservationsTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final ReadyObservations observations = new ReadyObservations(nanos::get);

  private static V1Pod pod(String uid, boolean ready, OffsetDateTime since) {
    return new V1Pod().metadata(new V1ObjectMeta().name("ue").namespace("ns").uid(uid))
        .status(new V1PodStatus().conditions(List.of(new V1PodCondition().type("Ready")
            .status(ready ? "True" : "False").lastTransitionTime(since))));
  }

  @Test
  void anAttachIsTimedFromTheWatchEventWithSubSecondResolutionAndCountedOnce() {
    // The condition says the pod turned Ready 10 s ago (whole seconds); the watch event says now.
    OffsetDateTime condition = OffsetDateTime.now().minusSeconds(10);
    observations.onUpdate(pod("u1", false, condition), pod("u1", true, condition));
    nanos.addAndGet(42_000_000L);
    assertEquals(0.042, observations.takeReadySince(pod("u1", true, condition)).orElseThrow().seconds(), 1e-9);
    // Taken: a second UPF write for the same Ready period falls back to the condition.
    assertEquals(10.0, observations.takeReadySince(pod("u1", true, condition)).orElseThrow().seconds(), 1.0);
  }

  @Test
  void aPodListedAlreadyReadyFallsBackToItsReadyCondition() {
    OffsetDateTime condition = OffsetDateTime.now().minusSeconds(3);
    observations.onAdd(pod("u2", true, condition));
    assertEquals(3.0, observations.takeReadySince(pod("u2", true, condition)).orElseThrow().seconds(), 1.0);
  }

  @Test
  void turningUnreadyOrGoingForgetsTheObservation() {
    OffsetDateTime condition = OffsetDateTime.now().minusSeconds(5);
    observations.onUpdate(pod("u3", false, condition), pod("u3", true, condition));
    observations.onUpdate(pod("u3", true, condition), pod("u3", false, condition));
    assertTrue(observations.takeReadySince(pod("u3", false, condition)).isEmpty(), "not Ready: nothing to time");
    observations.onUpdate(pod("u4", false, condition), pod("u4", true, condition));
    observations.onDelete(pod("u4", true, condition), false);
    assertEquals(5.0, observations.takeReadySince(pod("u4", true, condition)).orElseThrow().seconds(), 1.0);
  }

  @Test
  void aResyncOfAReadyPodIsNotATransition() {
    OffsetDateTime condition = OffsetDateTime.now().minusSeconds(7);
    observations.onUpdate(pod("u5", true, condition), pod("u5", true, condition));
    assertEquals(7.0, observations.takeReadySince(pod("u5", true, condition)).orElseThrow().seconds(), 1.0);
  }
}
