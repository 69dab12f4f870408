package io.nexslice.dynamicslicing.bench;

import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.CallGeneratorParams;
import io.nexslice.dynamicslicing.model.UeState;
import io.nexslice.dynamicslicing.write.ParallelWrites;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A floor that reacts to the same watch event the controller reacts to (a UE pod turning Ready)
 * with the same concurrency (as many workers, each writing a UPF's objects at once as the
 * controller does) and nothing else: no cache reads, no queue beyond a plain executor's, no
 * desired-state comparison, no informers of the written kinds. What it takes is what the API
 * server and its watch need for the same work; the controller can only add to it.
 */
final class WatchFloor implements AutoCloseable {
  /** The writes a UE's attach makes (its UPF's applies, and its event where the controller sends one). */
  interface AttachWrites {
    List<ParallelWrites.Write> of(V1Pod ue);
  }

  private final SharedInformerFactory factory;
  private final ExecutorService workers;
  private final ParallelWrites parallel;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  WatchFloor(ApiClient watchClient, String namespace, int workerCount, AttachWrites writes) {
    this.factory = new SharedInformerFactory(watchClient);
    this.workers = Executors.newFixedThreadPool(workerCount);
    this.parallel = ParallelWrites.pooled(2 * workerCount);
    CoreV1Api core = new CoreV1Api(watchClient);
    SharedIndexInformer<V1Pod> pods = factory.sharedIndexInformerFor((CallGeneratorParams p) ->
        core.listNamespacedPod(namespace).resourceVersion(p.resourceVersion).watch(p.watch)
            .timeoutSeconds(p.timeoutSeconds).buildCall(null), V1Pod.class, V1PodList.class);
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(V1Pod pod) { }

      @Override
      public void onUpdate(V1Pod old, V1Pod pod) {
        if (UeState.isReady(pod) && !UeState.isReady(old)) {
          workers.execute(() -> {
            try {
              parallel.runAll(new ArrayList<>(writes.of(pod)));
            } catch (Exception | Error e) {
              failure.compareAndSet(null, e);
            }
          });
        }
      }

      @Override
      public void onDelete(V1Pod pod, boolean unknown) { }
    });
    factory.startAllRegisteredInformers();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!pods.hasSynced()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the watch floor's pod cache did not sync");
      }
      Thread.onSpinWait();
    }
  }

  /** Throws what a floor write threw, if any: a floor that failed measured nothing. */
  void check() {
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("a write of the watch floor failed", t);
    }
  }

  @Override
  public void close() {
    factory.stopAllRegisteredInformers();
    workers.shutdownNow();
    parallel.close();
  }
}
