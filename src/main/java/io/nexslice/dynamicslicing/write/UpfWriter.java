package io.nexslice.dynamicslicing.write;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import java.util.Map;
import java.util.Set;

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

  /**
   * Server-side applies {@code annotations} on the UE pod {@code name}, only while it still has
   * {@code uid}, under our field manager; nothing else of the pod is written. Returns the
   * resourceVersion, or null when that pod is gone or was replaced.
   */
  String markPod(String namespace, String name, String uid, Map<String, String> annotations)
      throws ApiException;

  /**
   * Removes the annotations {@code keys} from the UE pod {@code name}, whoever wrote them, only
   * while it still has {@code uid}. Returns the resourceVersion, or null when that pod is gone or
   * was replaced.
   */
  String unmarkPod(String namespace, String name, String uid, Set<String> keys) throws ApiException;
}
