package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import java.util.Map;
import java.util.Optional;

/** A UE's static address annotation, as written (checked where it is bound: PoolAllocator). */
final class StaticAddress {
  private StaticAddress() {}

  static boolean requested(V1Pod pod) {
    return of(pod).isPresent();
  }

  /** The annotation's value, trimmed; empty when absent or blank. */
  static Optional<String> of(V1Pod pod) {
    Map<String, String> ann = pod.getMetadata().getAnnotations();
    String v = ann == null ? null : ann.get(Names.ANNOTATION_UE_IP);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }
}
