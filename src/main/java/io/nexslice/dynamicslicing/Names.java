package io.nexslice.dynamicslicing;

import java.util.Set;

/**
 * Every label, annotation, event reason and identity this controller writes, in one place, so
 * that what users select with kubectl and what the code writes cannot drift apart.
 */
public final class Names {
  private Names() {}

  /** Name of the controller: field manager, event source, lease holder prefix. */
  public static final String CONTROLLER = "dynamic-slicing";
  /** Every server-side apply is made under this field manager. */
  public static final String FIELD_MANAGER = CONTROLLER;

  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String LABEL_NAME = "app.kubernetes.io/name";
  public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
  /** The UE pod a UPF serves (pod names longer than 63 characters are hashed, see UpfNames). */
  public static final String LABEL_UE = "nexslice.io/ue";
  public static final String UPF_APP = "upf";

  /** Slice and DNN of a UE, set by its owner; they win over the UE's ue.yaml and the defaults. */
  public static final String ANNOTATION_SST = "nexslice.io/sst";
  public static final String ANNOTATION_SD = "nexslice.io/sd";
  public static final String ANNOTATION_DNN = "nexslice.io/dnn";
  /** The UE address block (CIDR) a UPF serves, recorded on its Deployment and ConfigMap. */
  public static final String ANNOTATION_POOL = "nexslice.io/ue-pool";
  /** Slice the UPF serves, "sst=1 sd=FFFFFF dnn=oai", for kubectl readers. */
  public static final String ANNOTATION_SLICE = "nexslice.io/slice";
  /** Hash of the rendered configuration, on the pod template: a changed config restarts the UPF. */
  public static final String ANNOTATION_CONFIG_HASH = "nexslice.io/config-sha256";

  /** On a shared (per-slice) UPF: the slice group it serves, its work-queue key. */
  public static final String ANNOTATION_SLICE_GROUP = "nexslice.io/slice-group";
  /** On a shared UPF: the UE pods it serves, for kubectl readers (a status annotation). */
  public static final String ANNOTATION_UES = "nexslice.io/ues";
  public static final String ANNOTATION_UE_COUNT = "nexslice.io/ue-count";
  /** Label on every UPF: per-ue or per-slice. */
  public static final String LABEL_MODE = "nexslice.io/upf-mode";
  /** Label identifying the pods of a shared UPF (its name). */
  public static final String LABEL_SLICE_UPF = "nexslice.io/slice-upf";

  /** Annotation holding the UE pod's full name, which a label value cannot always hold. */
  public static final String ANNOTATION_UE_POD = "nexslice.io/ue-pod";

  /**
   * The mark on a UE pod, written by the controller only: the UPF that serves the UE, and "true"
   * once that UPF has an available replica. Both are there, or neither. A UE waits for the mark
   * before it opens its PDU sessions, so the UPF exists before the SMF chooses one.
   */
  /**
   * A UE's static address, as its subscriber data in the core has it (free5GC): its UPF's pool is
   * that address and no other UPF's pool contains it, so the SMF can only pick that UPF.
   */
  public static final String ANNOTATION_UE_IP = "nexslice.io/ue-ip";
  public static final String ANNOTATION_UPF = "nexslice.io/upf";
  public static final String ANNOTATION_UPF_READY = "nexslice.io/upf-ready";
  /** What a UE pod's owner may set: the slice and a static address; nothing that shapes the UPF's pod. */
  public static final Set<String> UE_SETTABLE_ANNOTATIONS = Set.of(ANNOTATION_SST, ANNOTATION_SD, ANNOTATION_DNN,
      ANNOTATION_UE_IP);
  /** The UPF mark the controller writes on a UE pod. */
  public static final Set<String> MARK_ANNOTATIONS = Set.of(ANNOTATION_UPF, ANNOTATION_UPF_READY);

  /**
   * Annotation keys the controller reads or warns about on a UE pod: ours, or looking like ours.
   * The informer cache keeps only these (CacheDecoder), and UeWarnings warns about those a UE may
   * not set, so the two cannot drift apart.
   */
  public static boolean isOurAnnotationKey(String key) {
    return key.startsWith("nexslice.io/") || key.contains(CONTROLLER);
  }

  public static final String REASON_UPF_CREATED = "UpfCreated";
  public static final String REASON_UPF_UPDATED = "UpfUpdated";
  public static final String REASON_UPF_REMOVED = "UpfRemoved";
  public static final String REASON_NAME_TAKEN = "UpfNameTaken";
  public static final String REASON_SLICE_INVALID = "UeSliceInvalid";
  public static final String REASON_POOL_EXHAUSTED = "UpfPoolExhausted";
  public static final String REASON_POOL_MOVED = "UpfPoolMoved";
  public static final String REASON_LIMIT_REACHED = "UpfLimitReached";
  public static final String REASON_SUBNET_UNKNOWN = "UeSubnetUnknown";
  public static final String REASON_NOT_REGISTERED = "UpfNotRegistered";
  public static final String REASON_ADDRESS_INVALID = "UeAddressInvalid";
  public static final String REASON_ANNOTATION_IGNORED = "UeAnnotationIgnored";
  public static final String REASON_JOINED_SLICE_UPF = "UeJoinedSliceUpf";
  public static final String REASON_LEFT_SLICE_UPF = "UeLeftSliceUpf";

  // Why an attached UE has no usable UPF, as the metric dynamic_slicing_ues_waiting says it: the
  // reason of the Warning event the UE got (REASON_POOL_EXHAUSTED, ...), or one of these two,
  // which come with no event.
  /** The UE's ue.yaml ConfigMap is not in the cache, so its slice is unknown. */
  public static final String WAIT_CONFIG_PENDING = "UeConfigPending";
  /** The reconciler has said nothing yet: the UE is not reconciled yet, or its reconciles fail. */
  public static final String WAIT_UNEXPLAINED = "Pending";
}
