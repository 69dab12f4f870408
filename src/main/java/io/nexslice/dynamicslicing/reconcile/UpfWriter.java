package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;

/** Writes UPF objects to the cluster. One implementation talks to the API server. */
public interface UpfWriter {

  /**
   * Server-side applies {@code desired} (a Deployment, Service or ConfigMap) under our field
   * manager; returns the resourceVersion the API server answered with.
   */
  String apply(KubernetesObject desired) throws ApiException;

  /**
   * Deletes the object only if it still has {@code uid}, so a replacement made meanwhile is left
   * alone. Returns false when it was already gone.
   */
  boolean delete(String kind, String namespace, String name, String uid) throws ApiException;
}
