package io.nexslice.dynamicslicing.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexslice.dynamicslicing.write.WriteExpectations.Wait;
import org.junit.jupiter.api.Test;

class WriteExpectationsTest {
  private final WriteExpectations e = new WriteExpectations();

  @Test
  void aWriteIsPendingUntilTheCacheHoldsItsVersionOrALaterOne() {
    e.expect("ConfigMap", "ns", "upf-a", "120");
    assertEquals(Wait.FOR_ECHO, e.waitFor("ConfigMap", "ns", "upf-a", null), "not in the cache yet");
    assertEquals(Wait.FOR_ECHO, e.waitFor("ConfigMap", "ns", "upf-a", "119"), "an older version");
    assertEquals(Wait.NONE, e.waitFor("ConfigMap", "ns", "upf-a", "125"), "a later version: caught up");
    assertEquals(Wait.NONE, e.waitFor("ConfigMap", "ns", "upf-a", null), "met once, forgotten");
  }

  @Test
  void onlyTheReconcilesOwnSnapshotMeetsTheExpectation() {
    e.expect("Deployment", "ns", "upf-b", "7");
    // A snapshot read before the write arrived stays "pending", however many times it is asked:
    // the arrival itself wakes the UE again with a snapshot that holds it.
    assertEquals(Wait.FOR_ECHO, e.waitFor("Deployment", "ns", "upf-b", "6"));
    assertEquals(Wait.FOR_ECHO, e.waitFor("Deployment", "ns", "upf-b", null));
    assertEquals(Wait.NONE, e.waitFor("Deployment", "ns", "upf-b", "7"));
  }

  @Test
  void otherObjectsAndDeletedOnesAreNotPending() {
    e.expect("Service", "ns", "upf-c", "9");
    assertEquals(Wait.NONE, e.waitFor("Service", "other", "upf-c", null));
    assertEquals(Wait.NONE, e.waitFor("ConfigMap", "ns", "upf-c", null));
    e.forget("Service", "ns", "upf-c");
    assertEquals(Wait.NONE, e.waitFor("Service", "ns", "upf-c", null));
  }

  @Test
  void theEchoOfOurWriteIsDroppedWhenNoReconcileWaitsForIt() {
    e.expect("Deployment", "ns", "upf-d", "30");
    assertFalse(e.dropEcho("Deployment", "ns", "upf-d", "29"), "another version is news");
    assertTrue(e.dropEcho("Deployment", "ns", "upf-d", "30"), "our own write: nothing to learn");
    assertFalse(e.dropEcho("Deployment", "ns", "upf-d", "30"), "dropped once only");
    // A reconcile whose snapshot was read before that echo arrived must not wait for it.
    assertEquals(Wait.RECHECK, e.waitFor("Deployment", "ns", "upf-d", "28"));
    assertEquals(Wait.NONE, e.waitFor("Deployment", "ns", "upf-d", "30"));
  }

  @Test
  void theEchoIsDeliveredWhenAReconcileSkippedTheSlotForIt() {
    e.expect("Service", "ns", "upf-e", "40");
    assertEquals(Wait.FOR_ECHO, e.waitFor("Service", "ns", "upf-e", null));
    assertFalse(e.dropEcho("Service", "ns", "upf-e", "40"), "the skipped reconcile needs this wake-up");
  }

  @Test
  void anEchoBeforeTheWriteReturnedIsDelivered() {
    // The watch can be faster than the write's response: nothing is expected yet, so it wakes.
    assertFalse(e.dropEcho("ConfigMap", "ns", "upf-f", "50"));
    e.expect("ConfigMap", "ns", "upf-f", "50");
    assertEquals(Wait.NONE, e.waitFor("ConfigMap", "ns", "upf-f", "50"));
  }

  @Test
  void theEchoOfAWriteUnderWayIsHeldAndDroppedWhenTheAnswerSaysItWasOurs() {
    e.writing("Deployment", "ns", "upf-g");
    assertTrue(e.dropEcho("Deployment", "ns", "upf-g", "60"), "held back until the answer");
    assertFalse(e.written("Deployment", "ns", "upf-g", "60"), "it was our echo: nothing was missed");
    assertFalse(e.dropEcho("Deployment", "ns", "upf-g", "61"), "after the answer, news wakes as usual");
  }

  @Test
  void aChangeBySomeoneElseDuringTheWriteIsReportedNotLost() {
    e.writing("Deployment", "ns", "upf-h");
    assertTrue(e.dropEcho("Deployment", "ns", "upf-h", "70"), "someone else's write, held back");
    assertTrue(e.dropEcho("Deployment", "ns", "upf-h", "71"), "our echo, held back");
    assertTrue(e.written("Deployment", "ns", "upf-h", "71"), "the caller must look again");
    // Our echo came: a snapshot read before it must be looked at again, not waited on.
    assertEquals(Wait.RECHECK, e.waitFor("Deployment", "ns", "upf-h", "70"));
    assertEquals(Wait.NONE, e.waitFor("Deployment", "ns", "upf-h", "71"));
  }

  @Test
  void aWriteAnsweredBeforeItsEchoAwaitsTheEchoAsBefore() {
    e.writing("Service", "ns", "upf-i");
    assertFalse(e.written("Service", "ns", "upf-i", "80"));
    assertEquals(Wait.FOR_ECHO, e.waitFor("Service", "ns", "upf-i", "79"));
    assertFalse(e.dropEcho("Service", "ns", "upf-i", "80"), "a reconcile skipped the slot for this event");
  }

  @Test
  void aFailedWriteForgottenStopsHoldingEvents() {
    e.writing("ConfigMap", "ns", "upf-j");
    e.forget("ConfigMap", "ns", "upf-j");
    assertFalse(e.dropEcho("ConfigMap", "ns", "upf-j", "90"));
    assertEquals(Wait.NONE, e.waitFor("ConfigMap", "ns", "upf-j", null));
  }

  @Test
  void anAnswerWithoutAVersionReportsWhatWasHeld() {
    e.writing("ConfigMap", "ns", "upf-k");
    assertTrue(e.dropEcho("ConfigMap", "ns", "upf-k", "95"));
    assertTrue(e.written("ConfigMap", "ns", "upf-k", null), "the held event cannot be judged: look again");
    assertEquals(Wait.NONE, e.waitFor("ConfigMap", "ns", "upf-k", null));
  }

  @Test
  void opaqueVersionsAreComparedForEquality() {
    assertTrue(WriteExpectations.atLeast("abc", "abc"));
    assertFalse(WriteExpectations.atLeast("abd", "abc"));
    assertTrue(WriteExpectations.atLeast("10", "9"));
  }
}
