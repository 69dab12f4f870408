package io.nexslice.dynamicslicing.runtime;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.nexslice.dynamicslicing.reconcile.WriteExpectations;

/** Forgets our pending writes of an object once it is deleted: nothing more to expect of it. */
final class ForgetOnDelete<T extends KubernetesObject> implements ResourceEventHandler<T> {
  private final String kind;
  private final WriteExpectations expectations;

  ForgetOnDelete(String kind, WriteExpectations expectations) {
    this.kind = kind;
    this.expectations = expectations;
  }

  @Override
  public void onAdd(T obj) {}

  @Override
  public void onUpdate(T oldObj, T newObj) {}

  @Override
  public void onDelete(T obj, boolean deletedFinalStateUnknown) {
    expectations.forget(kind, obj.getMetadata().getNamespace(), obj.getMetadata().getName());
  }
}
