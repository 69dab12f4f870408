package io.nexslice.dynamicslicing.model;

import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.Optional;

/**
 * What a UE pod's state says about attachment: pure functions of the pod, no cluster access.
 *
 * <p>The rule: a UE is attached when its pod is selected, not terminating, not ended (Failed or
 * Succeeded), and Ready now or already served by a UPF. The second half is what keeps the UPF through readiness flaps
 * (Ready, NotReady, Ready): the UPF's own existence remembers that the UE has been Ready, so no
 * state needs to live in the controller and a restart decides the same way.
 */
public final class UeState {
  private UeState() {}

  /** Why a UE is or is not served. */
  public enum Attachment {
    ATTACHED,
    /** Selected and alive but never Ready yet: nothing to create. */
    NOT_READY,
    /** Deleted, terminating, ended (Failed or Succeeded) or no longer selected: its UPF must go. */
    DETACHED
  }

  public static boolean isReady(V1Pod pod) {
    return readyCondition(pod).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  public static boolean isTerminating(V1Pod pod) {
    return pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null;
  }

  /**
   * True when the pod is in a terminal phase, Failed or Succeeded: its containers will not run
   * again (a pod without a readiness probe is Ready for the moment its container runs, even one
   * that then fails at once), so it has no session for a UPF to carry.
   */
  public static boolean hasEnded(V1Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Failed".equals(phase) || "Succeeded".equals(phase);
  }

  /** When the pod last became Ready, if it is Ready now. */
  public static Optional<OffsetDateTime> readySince(V1Pod pod) {
    return readyCondition(pod)
        .filter(c -> "True".equals(c.getStatus()))
        .map(V1PodCondition::getLastTransitionTime);
  }

  /**
   * The order UEs are served in when they must queue (a slice's UPF budget): the one Ready first,
   * then (Ready times have 1 s resolution) the one created first, then by name.
   */
  public static final Comparator<V1Pod> READY_ORDER = Comparator
      .comparing((V1Pod p) -> readySince(p).orElse(OffsetDateTime.MAX))
      .thenComparing(p -> p.getMetadata().getCreationTimestamp() == null ? OffsetDateTime.MAX
          : p.getMetadata().getCreationTimestamp())
      .thenComparing(p -> p.getMetadata().getName());

  /**
   * Decides attachment.
   *
   * @param pod the pod from the cache, or null when it is gone (deleted or no longer selected)
   * @param selected whether the pod matches the UE selector in a watched namespace
   * @param servedNow whether a UPF object controlled by this very pod (same uid) exists
   */
  public static Attachment attachment(V1Pod pod, boolean selected, boolean servedNow) {
    if (pod == null || !selected || isTerminating(pod) || hasEnded(pod)) {
      return Attachment.DETACHED;
    }
    if (isReady(pod) || servedNow) {
      return Attachment.ATTACHED;
    }
    return Attachment.NOT_READY;
  }

  private static Optional<V1PodCondition> readyCondition(V1Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
  }
}
