package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.openapi.models.V1Pod;

/** What the reconciler reports as it works: metrics and the status API listen here. */
public interface ReconcileListener {
  default void reconciled(Request ue, String outcome) {}

  default void upfCreated(V1Pod ue) {}

  default void upfRemoved(Request ue) {}
}
