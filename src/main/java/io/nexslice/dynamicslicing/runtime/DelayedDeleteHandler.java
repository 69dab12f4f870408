package io.nexslice.dynamicslicing.runtime;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.workqueue.DelayingQueue;
import io.kubernetes.client.informer.ResourceEventHandler;
import java.time.Duration;

/** Queues the UE of a deleted owned object after a delay; adds and updates are not its business. */
final class DelayedDeleteHandler<T extends KubernetesObject> implements ResourceEventHandler<T> {
  private final DelayingQueue<Request> queue;
  private final OwnerKeys keys;
  private final Duration delay;

  DelayedDeleteHandler(DelayingQueue<Request> queue, OwnerKeys keys, Duration delay) {
    this.queue = queue;
    this.keys = keys;
    this.delay = delay;
  }

  @Override
  public void onAdd(T obj) {}

  @Override
  public void onUpdate(T oldObj, T newObj) {}

  @Override
  public void onDelete(T obj, boolean deletedFinalStateUnknown) {
    Request ue = keys.keyOf(obj);
    if (ue != null) {
      queue.addAfter(ue, delay);
    }
  }
}
