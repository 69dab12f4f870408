package io.nexslice.dynamicslicing.config;

/** How UPFs map to UEs. */
public enum UpfMode {
  /** A dedicated UPF per attached UE. */
  PER_UE("per-ue"),
  /** One UPF per (namespace, S-NSSAI, DNN), alive while any of its UEs is attached. */
  PER_SLICE("per-slice");

  private final String text;

  UpfMode(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }
}
