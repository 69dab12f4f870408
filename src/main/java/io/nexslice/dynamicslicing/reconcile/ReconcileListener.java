package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.pool.UeKey;

/** What the reconciler reports as it works: metrics and the status API listen here. */
public interface ReconcileListener {
  default void reconciled(Request ue, String outcome) {}

  default void upfCreated(V1Pod ue) {}

  default void upfRemoved(Request ue) {}

  /**
   * {@code ue} is attached but has no usable UPF (none, or one it may not use yet), for
   * {@code reason}: the reason of the Warning event it got, or a Names.WAIT_* reason.
   */
  default void waiting(UeKey ue, String reason) {}

  /** {@code ue} waits for nothing: it is served, not Ready, or gone. */
  default void notWaiting(UeKey ue) {}
}
