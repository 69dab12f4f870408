package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.extended.controller.reconciler.Request;
import io.nexslice.dynamicslicing.model.Ownership;
import io.nexslice.dynamicslicing.reconcile.NameClaims;

/**
 * Maps an event on a Deployment, Service or ConfigMap to the UE it concerns: the pod named by
 * its controller reference, or the UE waiting for the name a foreign object holds. Null for
 * everything else, which the watch filters drop.
 */
final class OwnerKeys {
  private final NameClaims claims;

  OwnerKeys(NameClaims claims) {
    this.claims = claims;
  }

  Request keyOf(KubernetesObject o) {
    if (o == null || o.getMetadata() == null) {
      return null;
    }
    String ns = o.getMetadata().getNamespace();
    String group = Ownership.sharedGroup(o);
    if (group != null) {
      return new Request(ns, group); // a shared (per-slice) UPF: its slice group's key
    }
    return Ownership.controllerPod(o)
        .map(ref -> new Request(ns, ref.getName()))
        .orElseGet(() -> claims.waitingFor(ns, o.getMetadata().getName()));
  }
}
