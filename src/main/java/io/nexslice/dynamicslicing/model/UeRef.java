package io.nexslice.dynamicslicing.model;

import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Pod;

/** Identity of one UE pod: enough to own objects and to address events, without the whole pod. */
public record UeRef(String namespace, String name, String uid) {

  public static UeRef of(V1Pod pod) {
    return new UeRef(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid());
  }

  /** The key used in logs and in the work queue: namespace/name. */
  public String key() {
    return namespace + "/" + name;
  }

  /** An event target; built by hand because pods from a list carry no kind or apiVersion. */
  public V1ObjectReference objectReference() {
    return new V1ObjectReference().apiVersion("v1").kind("Pod").namespace(namespace).name(name).uid(uid);
  }

  @Override
  public String toString() {
    return key();
  }
}
