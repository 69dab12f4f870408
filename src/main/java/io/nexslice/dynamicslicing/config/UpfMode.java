package io.nexslice.dynamicslicing.config;

/** How UPFs map to UEs. */
public enum UpfMode {
  /**
   * A dedicated UPF per attached UE. It serves one UE, so its UE pool needs a handful of
   * addresses: a /29 holds 6 that free5GC's SMF hands out (it skips the network and broadcast
   * addresses), room for the UE's sessions and for the released addresses free5GC reuses only
   * lazily; the default UPF_POOL_CIDR, a /16, holds 8,192 of them.
   */
  PER_UE("per-ue", 29),
  /**
   * One UPF per (namespace, S-NSSAI, DNN), alive while any of its UEs is attached. It serves
   * every UE of its slice: a /24, 254 addresses, as NexSlice's own slice pools (12.1.x.0/24);
   * the default /16 holds 256 slices.
   */
  PER_SLICE("per-slice", 24);

  private final String text;
  private final int defaultBlockPrefix;

  UpfMode(String text, int defaultBlockPrefix) {
    this.text = text;
    this.defaultBlockPrefix = defaultBlockPrefix;
  }

  public String text() {
    return text;
  }

  /** Size of each UPF's block of UPF_POOL_CIDR when UPF_POOL_BLOCK_PREFIX does not say. */
  public int defaultBlockPrefix() {
    return defaultBlockPrefix;
  }
}
