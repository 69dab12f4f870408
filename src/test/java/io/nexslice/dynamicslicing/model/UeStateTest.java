package io.nexslice.dynamicslicing.model;

import static io.nexslice.dynamicslicing.model.UeState.Attachment.ATTACHED;
import static io.nexslice.dynamicslicing.model.UeState.Attachment.DETACHED;
import static io.nexslice.dynamicslicing.model.UeState.Attachment.NOT_READY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UeStateTest {

  static V1Pod pod(String ready) {
    V1Pod pod = new V1Pod().metadata(new V1ObjectMeta().name("ue1").namespace("ns").uid("u1"));
    if (ready != null) {
      pod.status(new V1PodStatus().conditions(List.of(
          new V1PodCondition().type("Ready").status(ready).lastTransitionTime(OffsetDateTime.now()))));
    }
    return pod;
  }

  private static V1Pod readyAt(String name, String readyAt, String createdAt) {
    V1Pod pod = new V1Pod().metadata(new V1ObjectMeta().name(name).namespace("ns")
        .creationTimestamp(OffsetDateTime.parse(createdAt)));
    return pod.status(new V1PodStatus().conditions(List.of(
        new V1PodCondition().type("Ready").status("True").lastTransitionTime(OffsetDateTime.parse(readyAt)))));
  }

  @Test
  void readyOrderIsReadyTimeThenCreationThenName() {
    V1Pod first = readyAt("z", "2026-01-01T00:00:01Z", "2026-01-01T00:00:05Z");
    V1Pod sameSecondCreatedEarlier = readyAt("y", "2026-01-01T00:00:02Z", "2026-01-01T00:00:00Z");
    V1Pod sameSecondSameCreationA = readyAt("a", "2026-01-01T00:00:02Z", "2026-01-01T00:00:01Z");
    V1Pod sameSecondSameCreationB = readyAt("b", "2026-01-01T00:00:02Z", "2026-01-01T00:00:01Z");
    V1Pod notReady = pod(null).metadata(new V1ObjectMeta().name("0").creationTimestamp(OffsetDateTime.MIN));
    List<V1Pod> sorted = new ArrayList<>(List.of(notReady, sameSecondSameCreationB, sameSecondSameCreationA,
        sameSecondCreatedEarlier, first));
    sorted.sort(UeState.READY_ORDER);
    assertEquals(List.of("z", "y", "a", "b", "0"), sorted.stream().map(p -> p.getMetadata().getName()).toList());
  }

  @Test
  void aPodThatHasEndedIsDetachedEvenWithItsUpf() {
    for (String phase : List.of("Failed", "Succeeded")) {
      V1Pod pod = pod("True");
      pod.getStatus().setPhase(phase);
      assertEquals(DETACHED, UeState.attachment(pod, true, true), phase);
    }
    V1Pod running = pod("True");
    running.getStatus().setPhase("Running");
    assertEquals(ATTACHED, UeState.attachment(running, true, true));
  }

  @Test
  void readyPodIsAttached() {
    assertEquals(ATTACHED, UeState.attachment(pod("True"), true, false));
  }

  @Test
  void neverReadyPodGetsNothing() {
    assertEquals(NOT_READY, UeState.attachment(pod("False"), true, false));
    assertEquals(NOT_READY, UeState.attachment(pod(null), true, false));
  }

  @Test
  void notReadyPodThatIsServedKeepsItsUpf() {
    assertEquals(ATTACHED, UeState.attachment(pod("False"), true, true));
  }

  @Test
  void terminatingGoneOrUnselectedPodIsDetachedEvenWhenReady() {
    V1Pod terminating = pod("True");
    terminating.getMetadata().deletionTimestamp(OffsetDateTime.now());
    assertEquals(DETACHED, UeState.attachment(terminating, true, true));
    assertEquals(DETACHED, UeState.attachment(null, true, true));
    assertEquals(DETACHED, UeState.attachment(pod("True"), false, true));
  }
}
