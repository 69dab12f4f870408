package io.nexslice.dynamicslicing.write;

import io.kubernetes.client.openapi.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one reconcile's independent writes at the same time: the last on the reconciling worker,
 * the others on a small pool, and returns when all have answered.
 *
 * <p>Why: a UPF's ConfigMap, Deployment and Service do not depend on each other at the API level,
 * so written one after the other an attach waits for three round trips to the API server, and
 * written at once for about one (docs/BENCHMARKS.md, P1). The API server connection is HTTP/2, so
 * the writes share it rather than opening new ones.
 *
 * <p>Every write runs to its end even when another fails, so what succeeded is recorded (its
 * WriteExpectations entry) before the failure is reported; the first failure is then thrown.
 */
public final class ParallelWrites implements AutoCloseable {
  /** One write to the API server. */
  public interface Write {
    void run() throws ApiException;
  }

  private final Executor executor;

  /**
   * @param executor where all writes but the last run; {@code Runnable::run} runs them one after
   *     the other, in order, on the caller's thread
   */
  public ParallelWrites(Executor executor) {
    this.executor = executor;
  }

  /** @param threads how many writes may run beside the workers' own (idle threads end after a minute) */
  public static ParallelWrites pooled(int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "upf-write-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
    return new ParallelWrites(pool);
  }

  /**
   * Runs every write, all at once, and returns when all have ended; throws the first failure (an
   * ApiException or a RuntimeException) once they have.
   */
  public void runAll(List<Write> writes) throws ApiException {
    if (writes.isEmpty()) {
      return;
    }
    List<Future<?>> others = new ArrayList<>();
    for (Write w : writes.subList(0, writes.size() - 1)) {
      FutureTask<Void> task = new FutureTask<>(() -> {
        w.run();
        return null;
      });
      executor.execute(task);
      others.add(task);
    }
    Throwable failure = null;
    try {
      writes.get(writes.size() - 1).run();
    } catch (ApiException | RuntimeException e) {
      failure = e;
    }
    boolean interrupted = false;
    for (Future<?> f : others) {
      // Waits out an interrupt too: the write is in flight either way, and its outcome must be
      // recorded before this reconcile ends, or the next one would not know of it.
      while (true) {
        try {
          f.get();
          break;
        } catch (ExecutionException e) {
          failure = failure != null ? failure : e.getCause();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure instanceof ApiException e) {
      throw e;
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }

  @Override
  public void close() {
    if (executor instanceof ExecutorService pool) {
      pool.shutdown();
    }
  }
}
