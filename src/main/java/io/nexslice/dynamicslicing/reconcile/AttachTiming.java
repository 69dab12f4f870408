package io.nexslice.dynamicslicing.reconcile;

/**
 * When the reconcile that gave a UE its UPF began, and when its writes began and ended
 * (System.nanoTime; the writes' two are 0 when it wrote nothing, as when a UE joins a slice UPF
 * that exists). With the moment the UE was seen Ready, they split attach latency into phases.
 */
public record AttachTiming(long reconcileBegan, long writesBegan, long writesEnded) {
  /** No writes, or none this reconcile made. */
  public static AttachTiming withoutWrites(long reconcileBegan) {
    return new AttachTiming(reconcileBegan, 0, 0);
  }

  public boolean wrote() {
    return writesBegan != 0;
  }
}
