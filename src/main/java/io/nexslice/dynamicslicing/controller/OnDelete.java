package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import java.util.function.Consumer;

/** An informer handler that acts on deletes only; adds and updates are not its business. */
final class OnDelete<T extends KubernetesObject> implements ResourceEventHandler<T> {
  private final Consumer<T> action;

  OnDelete(Consumer<T> action) {
    this.action = action;
  }

  @Override
  public void onAdd(T obj) {}

  @Override
  public void onUpdate(T oldObj, T newObj) {}

  @Override
  public void onDelete(T obj, boolean deletedFinalStateUnknown) {
    action.accept(obj);
  }
}
