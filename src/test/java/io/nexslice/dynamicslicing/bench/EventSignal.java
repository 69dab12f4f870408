package io.nexslice.dynamicslicing.bench;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * What the benchmarks' watchers wait on: their event handlers {@link #signal()} after recording
 * an event, and a wait re-reads what it waits for at each signal, so it ends at the event that
 * completed it, not at a poll.
 */
final class EventSignal {
  private final Object lock = new Object();

  /** Wakes every waiter; call after recording an event. */
  void signal() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /**
   * The first non-null answer of {@code probe}, asked now and at each signal, waiting up to
   * {@code timeout}; an IllegalStateException naming {@code what} after that.
   */
  <T> T await(String what, Supplier<T> probe, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        T value = probe.get();
        if (value != null) {
          return value;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(what + " did not happen within " + timeout);
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
    }
  }
}
