package io.nexslice.dynamicslicing.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.ApiException;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelWritesTest {
  private final ParallelWrites writes = ParallelWrites.pooled(2);

  @AfterEach
  void close() {
    writes.close();
  }

  /** A write that returns only once all three writes are under way: one after the other, none would. */
  private static ParallelWrites.Write meeting(CyclicBarrier barrier, List<String> done, String name) {
    return () -> {
      try {
        barrier.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
        throw new IllegalStateException(name + " ran alone", e);
      }
      done.add(name);
    };
  }

  @Test
  void aUpfsThreeWritesAreUnderWayAtOnceAndAllEndBeforeItReturns() throws ApiException {
    CyclicBarrier barrier = new CyclicBarrier(3);
    List<String> done = new CopyOnWriteArrayList<>();
    writes.runAll(List.of(meeting(barrier, done, "ConfigMap"), meeting(barrier, done, "Deployment"),
        meeting(barrier, done, "Service")));
    assertEquals(3, done.size(), "all three answered before runAll returned: " + done);
    assertTrue(done.containsAll(List.of("ConfigMap", "Deployment", "Service")));
  }

  @Test
  void aFailureIsThrownOnlyOnceTheOtherWritesHaveEnded() {
    ApiException refused = new ApiException(500, "etcd timeout");
    CyclicBarrier barrier = new CyclicBarrier(2);
    List<String> done = new CopyOnWriteArrayList<>();
    ApiException thrown = assertThrows(ApiException.class, () -> writes.runAll(List.of(
        meeting(barrier, done, "ConfigMap"),
        () -> {
          throw refused;
        },
        meeting(barrier, done, "Service"))));
    assertSame(refused, thrown);
    assertEquals(2, done.size(), "the writes that succeeded ended (and were recorded) first: " + done);
  }

  @Test
  void aRuntimeFailureOnThePoolIsThrownAsItself() {
    IllegalStateException bug = new IllegalStateException("bug");
    assertSame(bug, assertThrows(IllegalStateException.class, () -> writes.runAll(List.of(() -> {
      throw bug;
    }, () -> { }))));
  }

  @Test
  void aDirectExecutorRunsTheWritesInOrderOnTheCaller() throws ApiException {
    List<String> order = new CopyOnWriteArrayList<>();
    Thread caller = Thread.currentThread();
    new ParallelWrites(Runnable::run).runAll(List.of(() -> order.add("a"), () -> order.add("b"),
        () -> order.add(Thread.currentThread() == caller ? "c" : "elsewhere")));
    assertEquals(List.of("a", "b", "c"), order);
  }
}
