package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.Ownership;
import io.nexslice.dynamicslicing.pool.AddressPool;
import io.nexslice.dynamicslicing.pool.SliceBudget;
import io.nexslice.dynamicslicing.slice.SliceResolver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Informer indexes: index functions are pure, and keys carry the namespace. */
final class Indexes {
  /** Pods by the ConfigMaps they mount ("namespace/name"). */
  static final String BY_CONFIGMAP = "configMap";
  /** Our Deployments by the blocks of UPF_POOL_CIDR their recorded UE pool overlaps. */
  static final String BY_POOL_BLOCK = "poolBlock";

  private Indexes() {}

  static List<String> mountedConfigMaps(V1Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    return SliceResolver.mountedConfigMaps(pod).stream().map(name -> ns + "/" + name).toList();
  }

  /** Deployments by every Pod they name as an owner ("namespace/pod"): shared UPFs list many. */
  static final String BY_OWNER_POD = "ownerPod";

  static List<String> ownerPods(V1Deployment d) {
    if (d.getMetadata().getOwnerReferences() == null) {
      return List.of();
    }
    String ns = d.getMetadata().getNamespace();
    return d.getMetadata().getOwnerReferences().stream()
        .filter(r -> "Pod".equals(r.getKind()))
        .map(r -> ns + "/" + r.getName()).toList();
  }

  /** Our per-UE Deployments by the slice they serve ("namespace/sst=.. sd=.. dnn=.."): the budget's count. */
  static final String BY_SLICE = "slice";

  static List<String> perUeSlice(V1Deployment d) {
    Map<String, String> ann = d.getMetadata().getAnnotations();
    if (!Ownership.isLabelledOurs(d) || ann == null
        || !"per-ue".equals(d.getMetadata().getLabels().getOrDefault(Names.LABEL_MODE, "per-ue"))) {
      return List.of();
    }
    String slice = ann.get(Names.ANNOTATION_SLICE);
    return slice == null ? List.of() : List.of(SliceBudget.key(d.getMetadata().getNamespace(), slice));
  }

  /**
   * Under every block of UPF_POOL_CIDR its recorded pool overlaps: the block holding it (a block
   * of the configured size, or a static address), or each block it spans (a larger pool recorded
   * under an earlier UPF_POOL_BLOCK_PREFIX). Looking up a block then finds every pool in its way.
   */
  static Function<V1Deployment, List<String>> poolBlocks(AddressPool pool) {
    return d -> recordedPool(d).map(pool::blocksOverlapping).orElse(List.of());
  }

  /** The UE pool our Deployment records. */
  static Optional<String> recordedPool(V1Deployment d) {
    Map<String, String> ann = d.getMetadata().getAnnotations();
    if (!Ownership.isLabelledOurs(d) || ann == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(ann.get(Names.ANNOTATION_POOL));
  }
}
