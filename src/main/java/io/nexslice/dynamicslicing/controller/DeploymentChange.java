package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.nexslice.dynamicslicing.Names;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Whether an update of a cached Deployment changed anything a reconcile reads: its spec (its
 * generation), labels, owner references, deletion, our annotations (nexslice.io/...), or whether
 * it has a replica available (the UPF mark).
 *
 * <p>Why: kube-controller-manager writes each new Deployment's status several times (observed
 * generation, replicas, conditions) and adds its revision annotation; every write woke the UE for a
 * reconcile that found nothing to do, 3-4 reconciles per attach in a burst (docs/BENCHMARKS.md,
 * P2 with kube-controller-manager), on the one CPU the controller has. Services and ConfigMaps have
 * no such writer, and no generation to tell a spec change by, so they are not filtered.
 */
final class DeploymentChange {
  private DeploymentChange() {}

  static boolean mattersToReconciles(V1Deployment old, V1Deployment now) {
    V1ObjectMeta a = old.getMetadata();
    V1ObjectMeta b = now.getMetadata();
    return !Objects.equals(a.getUid(), b.getUid())
        || !Objects.equals(a.getGeneration(), b.getGeneration())
        || !Objects.equals(a.getDeletionTimestamp(), b.getDeletionTimestamp())
        || !Objects.equals(a.getLabels(), b.getLabels())
        || !Objects.equals(a.getOwnerReferences(), b.getOwnerReferences())
        || !ours(a.getAnnotations()).equals(ours(b.getAnnotations()))
        || available(old) != available(now);
  }

  private static Map<String, String> ours(Map<String, String> annotations) {
    Map<String, String> out = new TreeMap<>();
    if (annotations != null) {
      annotations.forEach((k, v) -> {
        if (Names.isOurAnnotationKey(k)) {
          out.put(k, v);
        }
      });
    }
    return out;
  }

  private static boolean available(V1Deployment d) {
    Integer n = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
    return n != null && n > 0;
  }
}
