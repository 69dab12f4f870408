package io.nexslice.dynamicslicing.status;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.Ownership;
import io.nexslice.dynamicslicing.model.UeState;
import io.nexslice.dynamicslicing.pool.UeKey;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which attached UEs have no usable UPF, and why. The caches say who: a UE is attached (UeState)
 * and no UPF of ours lists it as an owner. The reconcilers say why, through ReconcileListener, and
 * also name the UEs that have a UPF they may not use yet (one the SMF refused to register).
 *
 * <p>Who comes from the caches, not from what the reconcilers said, so that a UE nobody has
 * reconciled (a wedged worker, failing writes, a new leader still working through its queue) is
 * counted too, with the reason {@link Names#WAIT_UNEXPLAINED}. The reasons map holds at most one
 * entry per UE pod the reconcilers have seen: an entry goes when they say the UE is served, not
 * Ready, or gone (the reconcile of a deleted pod).
 */
public final class UeWaits {
  /** One waiting UE; {@code readySince} is empty when its Ready condition carries no time. */
  public record Wait(String namespace, String ue, String reason, Optional<OffsetDateTime> readySince) {}

  private final Map<UeKey, String> reasons = new ConcurrentHashMap<>();

  void waiting(UeKey ue, String reason) {
    reasons.put(ue, reason);
  }

  void notWaiting(UeKey ue) {
    reasons.remove(ue);
  }

  /**
   * The waiting UEs among {@code pods} (selected UE pods, as the pod cache holds them), given the
   * Deployments of the same cache.
   */
  List<Wait> find(Collection<V1Pod> pods, Collection<V1Deployment> deployments) {
    Set<String> served = servedUids(deployments);
    List<Wait> out = new ArrayList<>();
    for (V1Pod pod : pods) {
      if (pod.getMetadata() == null || pod.getMetadata().getName() == null) {
        continue;
      }
      boolean hasUpf = served.contains(pod.getMetadata().getUid());
      if (UeState.attachment(pod, true, hasUpf) != UeState.Attachment.ATTACHED) {
        continue; // not Ready (and never served), terminating or ended: it needs no UPF now
      }
      String reason = reasons.get(new UeKey(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
      if (reason == null && hasUpf) {
        continue;
      }
      out.add(new Wait(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
          reason == null ? Names.WAIT_UNEXPLAINED : reason, UeState.readySince(pod)));
    }
    return out;
  }

  /** Uids of the pods our UPF Deployments list as owners (ClusterView.owners). */
  private static Set<String> servedUids(Collection<V1Deployment> deployments) {
    Set<String> uids = new HashSet<>();
    for (V1Deployment d : deployments) {
      if (Ownership.isLabelledOurs(d)) {
        ClusterView.owners(d).stream().map(V1OwnerReference::getUid).filter(Objects::nonNull).forEach(uids::add);
      }
    }
    return uids;
  }
}
