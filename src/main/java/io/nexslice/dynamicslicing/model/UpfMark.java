package io.nexslice.dynamicslicing.model;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import java.util.Map;
import java.util.Optional;

/**
 * The mark the controller keeps on a UE pod once the UE's UPF can serve it: annotations
 * {@code nexslice.io/upf=<UPF name>} and {@code nexslice.io/upf-ready=true}, both or neither.
 * Pure functions: what the mark should be, and whether a pod already carries exactly that.
 *
 * <p>Why a mark at all: an SMF picks a UPF when the UE's PDU session is established and never
 * moves a live session to a UPF that appears later (docs: "Which UPF carries a UE's traffic").
 * A UE that waits for the mark opens its sessions only once its UPF has a replica available.
 */
public record UpfMark(String upf) {

  /** The mark for a UE whose UPF is {@code deployment}: present only while a replica is available. */
  public static Optional<UpfMark> forUpf(String upfName, V1Deployment deployment) {
    return isAvailable(deployment) ? Optional.of(new UpfMark(upfName)) : Optional.empty();
  }

  /** True when the Deployment's status counts at least one available replica. */
  public static boolean isAvailable(V1Deployment deployment) {
    if (deployment == null || deployment.getStatus() == null) {
      return false;
    }
    Integer available = deployment.getStatus().getAvailableReplicas();
    return available != null && available > 0;
  }

  /** True when {@code pod}'s annotations hold exactly {@code desired}: both keys, or neither. */
  public static boolean isOn(V1Pod pod, Optional<UpfMark> desired) {
    Map<String, String> ann = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
    String upf = ann == null ? null : ann.get(Names.ANNOTATION_UPF);
    String ready = ann == null ? null : ann.get(Names.ANNOTATION_UPF_READY);
    if (desired.isEmpty()) {
      return upf == null && ready == null;
    }
    return desired.get().upf().equals(upf) && "true".equals(ready);
  }

  /** The two annotations as the controller applies them. */
  public Map<String, String> annotations() {
    return Map.of(Names.ANNOTATION_UPF, upf, Names.ANNOTATION_UPF_READY, "true");
  }
}
