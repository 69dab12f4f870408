package io.nexslice.dynamicslicing.model;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.nexslice.dynamicslicing.Names;
import java.util.Map;
import java.util.Optional;

/**
 * Who an object holding a UPF name belongs to. The rule, as in sample-controller: an object is
 * ours only if its controller reference points at the UE pod; anything else is never adopted.
 */
public final class Ownership {
  private Ownership() {}

  public enum Owner {
    /** No object holds the name. */
    ABSENT,
    /** Controlled by this very UE pod (same uid). */
    THIS_UE,
    /** Made by us for an earlier pod of the same name (deleted and recreated): garbage. */
    PREVIOUS_UE,
    /** Anything else: another tool's object, or one squatting our name. Hands off. */
    FOREIGN
  }

  /**
   * Classifies {@code existing} for the UE pod {@code podName}; {@code podUid} null means the
   * pod is gone, so our objects for any pod of that name are garbage.
   */
  public static Owner classify(KubernetesObject existing, String podName, String podUid) {
    if (existing == null) {
      return Owner.ABSENT;
    }
    Optional<V1OwnerReference> controller = controllerPod(existing);
    if (controller.isEmpty() || !podName.equals(controller.get().getName())) {
      return Owner.FOREIGN;
    }
    if (podUid != null && podUid.equals(controller.get().getUid())) {
      return Owner.THIS_UE;
    }
    return isLabelledOurs(existing) ? Owner.PREVIOUS_UE : Owner.FOREIGN;
  }

  /**
   * Classifies an object holding a shared (per-slice) UPF's name: ours (THIS_UE) when it is
   * marked as made by us for this very slice group, else FOREIGN.
   */
  public static Owner classifyShared(KubernetesObject existing, String groupKey) {
    if (existing == null) {
      return Owner.ABSENT;
    }
    return groupKey.equals(sharedGroup(existing)) ? Owner.THIS_UE : Owner.FOREIGN;
  }

  /** The slice group a shared UPF object of ours serves, or null. */
  public static String sharedGroup(KubernetesObject o) {
    if (!isLabelledOurs(o) || o.getMetadata().getAnnotations() == null) {
      return null;
    }
    return o.getMetadata().getAnnotations().get(Names.ANNOTATION_SLICE_GROUP);
  }

  /** True when {@code o} carries our managed-by label (alone, not proof of ownership: see classify). */
  public static boolean isLabelledOurs(KubernetesObject o) {
    return isLabelledOurs(o.getMetadata());
  }

  /** The same, on metadata alone (the cache decoder has no object yet). */
  public static boolean isLabelledOurs(V1ObjectMeta m) {
    Map<String, String> labels = m == null ? null : m.getLabels();
    return labels != null && Names.CONTROLLER.equals(labels.get(Names.LABEL_MANAGED_BY));
  }

  /** The controller reference of {@code o} when it is a core/v1 Pod. */
  public static Optional<V1OwnerReference> controllerPod(KubernetesObject o) {
    if (o.getMetadata() == null || o.getMetadata().getOwnerReferences() == null) {
      return Optional.empty();
    }
    return o.getMetadata().getOwnerReferences().stream()
        .filter(r -> Boolean.TRUE.equals(r.getController()))
        .filter(r -> "Pod".equals(r.getKind()) && "v1".equals(r.getApiVersion()))
        .findFirst();
  }
}
