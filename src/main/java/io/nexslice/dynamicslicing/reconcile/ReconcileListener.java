package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.pool.UeKey;
import java.util.Collection;

/** What the reconciler reports as it works: metrics and the status API listen here. */
public interface ReconcileListener {
  /**
   * The workers of {@code scope} (a namespace, or all of them) start, their caches synced, with
   * the UE pods {@code ueKeys} (namespace/name) in them: each is reconciled soon.
   */
  default void startingWith(String scope, Collection<String> ueKeys) {}

  default void reconciled(Request ue, String outcome) {}

  /** {@code ue} got its UPF (a new one, or a place in its slice's), in a reconcile timed by {@code timing}. */
  default void upfCreated(V1Pod ue, AttachTiming timing) {}

  default void upfRemoved(Request ue) {}

  /**
   * {@code ue} is attached but has no usable UPF (none, or one it may not use yet), for
   * {@code reason}: the reason of the Warning event it got, or a Names.WAIT_* reason.
   */
  default void waiting(UeKey ue, String reason) {}

  /** {@code ue} waits for nothing: it is served, not Ready, or gone. */
  default void notWaiting(UeKey ue) {}
}
