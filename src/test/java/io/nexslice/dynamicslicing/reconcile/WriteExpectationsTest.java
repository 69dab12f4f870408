package io.nexslice.dynamicslicing.reconcile;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WriteExpectationsTest {
  private final WriteExpectations e = new WriteExpectations();

  @Test
  void aWriteIsPendingUntilTheCacheHoldsItsVersionOrALaterOne() {
    e.expect("ConfigMap", "ns", "upf-a", "120");
    assertTrue(e.isPending("ConfigMap", "ns", "upf-a", null), "not in the cache yet");
    assertTrue(e.isPending("ConfigMap", "ns", "upf-a", "119"), "an older version");
    assertFalse(e.isPending("ConfigMap", "ns", "upf-a", "125"), "a later version: caught up");
    assertFalse(e.isPending("ConfigMap", "ns", "upf-a", null), "met once, forgotten");
  }

  @Test
  void onlyTheReconcilesOwnSnapshotMeetsTheExpectation() {
    e.expect("Deployment", "ns", "upf-b", "7");
    // A snapshot read before the write arrived stays "pending", however many times it is asked:
    // the arrival itself wakes the UE again with a snapshot that holds it.
    assertTrue(e.isPending("Deployment", "ns", "upf-b", "6"));
    assertTrue(e.isPending("Deployment", "ns", "upf-b", null));
    assertFalse(e.isPending("Deployment", "ns", "upf-b", "7"));
  }

  @Test
  void otherObjectsAndDeletedOnesAreNotPending() {
    e.expect("Service", "ns", "upf-c", "9");
    assertFalse(e.isPending("Service", "other", "upf-c", null));
    assertFalse(e.isPending("ConfigMap", "ns", "upf-c", null));
    e.forget("Service", "ns", "upf-c");
    assertFalse(e.isPending("Service", "ns", "upf-c", null));
  }

  @Test
  void opaqueVersionsAreComparedForEquality() {
    assertTrue(WriteExpectations.atLeast("abc", "abc"));
    assertFalse(WriteExpectations.atLeast("abd", "abc"));
    assertTrue(WriteExpectations.atLeast("10", "9"));
  }
}
