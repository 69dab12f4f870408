package io.nexslice.dynamicslicing.profile;

import io.nexslice.dynamicslicing.model.UpfObjects;

/**
 * A kind of UPF: which image, how it is configured, what it needs to run. A profile fills in
 * containers, volumes, ports and configuration; names, labels, owner references, selectors,
 * replicas and the config checksum are set afterwards by UpfDesiredState, the same for every
 * profile, so a new profile cannot get those wrong. Adding a profile never touches the reconciler.
 */
public interface UpfProfile {
  /** The value of UPF_PROFILE that selects it. */
  String name();

  /** Image used when the operator sets no UPF_IMAGE. */
  String defaultImage();

  /**
   * True when the core's SMF assigns UE addresses from its own pool per DNN and ignores the UPF's
   * (OAI): the UPF then routes the SMF's subnet (SLICE_UE_SUBNETS), not a block of UPF_POOL_CIDR.
   */
  default boolean smfAssignsAddresses() {
    return false;
  }

  /** The UPF's Deployment, Service and (optional) ConfigMap for {@code spec}. */
  UpfObjects render(UpfSpec spec);
}
