package io.nexslice.dynamicslicing.reconcile;

import java.time.Duration;

/**
 * Counts reconciles under way, so a stop can let them finish: DefaultController.shutdown() does
 * not wait for its workers, and a reconcile finishing after a hand-over would write beside the
 * new leader and lose its events.
 */
public final class InFlight {
  private int running;

  synchronized void enter() {
    running++;
  }

  synchronized void exit() {
    running--;
    notifyAll();
  }

  /** Waits until no reconcile runs, at most {@code max}; true when none does. */
  public synchronized boolean awaitIdle(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (running > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
