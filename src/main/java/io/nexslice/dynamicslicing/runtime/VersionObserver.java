package io.nexslice.dynamicslicing.runtime;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.nexslice.dynamicslicing.reconcile.WriteExpectations;

/** Reports each version of an object the cache receives, so our own writes are known as seen. */
final class VersionObserver<T extends KubernetesObject> implements ResourceEventHandler<T> {
  private final String kind;
  private final WriteExpectations expectations;

  VersionObserver(String kind, WriteExpectations expectations) {
    this.kind = kind;
    this.expectations = expectations;
  }

  @Override
  public void onAdd(T obj) {
    expectations.observe(kind, obj.getMetadata().getNamespace(), obj.getMetadata().getName(),
        obj.getMetadata().getResourceVersion());
  }

  @Override
  public void onUpdate(T oldObj, T newObj) {
    onAdd(newObj);
  }

  @Override
  public void onDelete(T obj, boolean deletedFinalStateUnknown) {
    expectations.forget(kind, obj.getMetadata().getNamespace(), obj.getMetadata().getName());
  }
}
