package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.workqueue.WorkQueue;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.cache.Indexer;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Pod;

/** Queues every UE pod that mounts a ConfigMap when that ConfigMap appears, changes or goes. */
final class UeConfigHandler implements ResourceEventHandler<V1ConfigMap> {
  private final WorkQueue<Request> queue;
  private final Indexer<V1Pod> pods;

  UeConfigHandler(WorkQueue<Request> queue, Indexer<V1Pod> pods) {
    this.queue = queue;
    this.pods = pods;
  }

  private void enqueueMounters(V1ConfigMap cm) {
    if (cm == null || cm.getMetadata() == null) {
      return;
    }
    String key = cm.getMetadata().getNamespace() + "/" + cm.getMetadata().getName();
    for (V1Pod pod : pods.byIndex(Indexes.BY_CONFIGMAP, key)) {
      queue.add(new Request(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
    }
  }

  @Override
  public void onAdd(V1ConfigMap obj) {
    enqueueMounters(obj);
  }

  @Override
  public void onUpdate(V1ConfigMap oldObj, V1ConfigMap newObj) {
    if (oldObj != null && newObj.getMetadata().getResourceVersion().equals(oldObj.getMetadata().getResourceVersion())) {
      return; // a resync, not a change
    }
    enqueueMounters(newObj);
  }

  @Override
  public void onDelete(V1ConfigMap obj, boolean deletedFinalStateUnknown) {
    enqueueMounters(obj);
  }
}
