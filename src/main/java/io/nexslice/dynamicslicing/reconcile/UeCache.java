package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.cache.Lister;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Service;
import java.util.List;
import java.util.function.Function;

/** What the reconciler reads: the informer caches of one namespace (or of all). */
public record UeCache(Lister<V1Pod> pods, Lister<V1Deployment> deployments, Lister<V1Service> services,
    Lister<V1ConfigMap> configMaps, Function<String, List<V1Deployment>> deploymentsOwnedBy) {

  /** Deployments with an owner reference to the pod {@code namespace/name} (from an informer index). */
  public List<V1Deployment> ownedBy(String namespace, String podName) {
    return deploymentsOwnedBy.apply(namespace + "/" + podName);
  }

  /** The cached object of {@code kind} named {@code name}, or null. */
  public KubernetesObject get(String kind, String namespace, String name) {
    return switch (kind) {
      case "Deployment" -> deployments.namespace(namespace).get(name);
      case "Service" -> services.namespace(namespace).get(name);
      case "ConfigMap" -> configMaps.namespace(namespace).get(name);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  public V1ConfigMap configMap(String namespace, String name) {
    return configMaps.namespace(namespace).get(name);
  }
}
