package io.nexslice.dynamicslicing.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SliceBudgetTest {
  private static final String S1 = SliceBudget.key("ns", "sst=1 sd=FFFFFF dnn=oai");
  private static final String S2 = SliceBudget.key("ns", "sst=2 sd=FFFFFF dnn=oai2");
  /** What the informer index would answer: slice -> UPFs in the cache. */
  private final Map<String, Set<String>> cache = new HashMap<>();
  private final SliceBudget budget = new SliceBudget(2, s -> cache.getOrDefault(s, Set.of()));

  private void inCache(String slice, String... owners) {
    cache.computeIfAbsent(slice, k -> new HashSet<>()).addAll(List.of(owners));
  }

  @Test
  void admitsUpToTheBudgetCountingTheCacheAndAdmissionsNotYetSeen() {
    inCache(S1, "ns/upf-a");
    assertTrue(budget.admit(S1, new UpfKey("ns", "upf-a"), () -> 0), "a UE keeps the UPF it has");
    assertTrue(budget.admit(S1, new UpfKey("ns", "upf-b"), () -> 0));
    assertFalse(budget.admit(S1, new UpfKey("ns", "upf-c"), () -> 0), "b's UPF is not in the cache yet, but counts");
    assertTrue(budget.admit(S2, new UpfKey("ns", "upf-c"), () -> 0), "another slice has its own budget");
    assertEquals(2, budget.count(S1));
  }

  @Test
  void aFreeSlotGoesToTheUesReadyBefore() {
    inCache(S1, "ns/upf-a");
    assertFalse(budget.admit(S1, new UpfKey("ns", "upf-late"), () -> 1), "one UE Ready earlier waits for the one free slot");
    assertTrue(budget.admit(S1, new UpfKey("ns", "upf-early"), () -> 0));
  }

  @Test
  void releaseFreesAnAdmissionAndTheCacheDecidesTheRest() {
    inCache(S1, "ns/upf-a");
    assertTrue(budget.admit(S1, new UpfKey("ns", "upf-b"), () -> 0));
    budget.release(new UpfKey("ns", "upf-b"));
    assertTrue(budget.admit(S1, new UpfKey("ns", "upf-c"), () -> 0));
    cache.get(S1).remove("ns/upf-a");
    assertEquals(1, budget.count(S1));
  }

  @Test
  void aBudgetOfZeroAdmitsEveryoneWithoutAskingWhoWaits() {
    SliceBudget unlimited = new SliceBudget(0, s -> Set.of("x", "y", "z"));
    assertTrue(unlimited.admit(S1, new UpfKey("ns", "upf-a"), () -> {
      throw new AssertionError("no scan when there is no limit");
    }));
    assertFalse(unlimited.isLimited());
  }

  @Test
  void waitersAreTrackedPerSliceAndTheGaugeFallsToZero() {
    assertTrue(budget.waits(S1, new UeKey("ns", "ue-a")));
    assertFalse(budget.waits(S1, new UeKey("ns", "ue-a")), "warned once per wait");
    assertTrue(budget.waits(S1, new UeKey("ns", "ue-b")));
    assertEquals(List.of(new UeKey("ns", "ue-a"), new UeKey("ns", "ue-b")), budget.waitersOf(S1));
    assertTrue(budget.waits(S2, new UeKey("ns", "ue-a")), "moved to another slice");
    assertEquals(Map.of(S1, 1, S2, 1), budget.waitingBySlice());
    assertEquals(S1, budget.stopsWaiting(new UeKey("ns", "ue-b")));
    assertEquals(Map.of(S1, 0, S2, 1), budget.waitingBySlice());
  }
}
