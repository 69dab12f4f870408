package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.model.UeState;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * When this process saw each UE pod turn Ready: the watch event that carried the transition,
 * stamped on a monotonic clock. The attach-latency metric is measured from it.
 *
 * <p>Why not the pod's Ready condition alone: its lastTransitionTime has a resolution of one
 * second, so a 40 ms attach reads anywhere from 0 to 1 s. It stays the fallback for a pod that was
 * already Ready when this process first listed it (a restart, a new leader's earlier history):
 * no transition was seen then.
 *
 * <p>An entry lives from the transition until it is used once, or the pod turns unready or goes:
 * at most one per cached UE pod.
 */
public final class ReadyObservations implements ResourceEventHandler<V1Pod> {
  private final Map<String, Long> seenReadyNanos = new ConcurrentHashMap<>();
  private final LongSupplier nanoClock;

  public ReadyObservations(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  @Override
  public void onAdd(V1Pod pod) {
    // Listed already Ready: no transition seen (readySinceSeconds falls back to the condition).
  }

  @Override
  public void onUpdate(V1Pod old, V1Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (UeState.isReady(pod)) {
      if (!UeState.isReady(old) || !uid.equals(old.getMetadata().getUid())) {
        seenReadyNanos.put(uid, nanoClock.getAsLong());
      }
    } else {
      seenReadyNanos.remove(uid);
    }
  }

  @Override
  public void onDelete(V1Pod pod, boolean unknownFinalState) {
    seenReadyNanos.remove(pod.getMetadata().getUid());
  }

  /**
   * How long ago {@code pod} turned Ready, measured from the watch event that said so and then
   * forgotten (an attach is counted once); from its Ready condition when no transition was seen.
   * Empty when the pod is not Ready.
   */
  public Optional<ReadySince> takeReadySince(V1Pod pod) {
    Long seen = seenReadyNanos.remove(pod.getMetadata().getUid());
    if (seen != null) {
      return Optional.of(new ReadySince(Math.max(0, nanoClock.getAsLong() - seen) / 1e9, OptionalLong.of(seen)));
    }
    return UeState.readySince(pod).map(since -> new ReadySince(
        Math.max(0, Duration.between(since, OffsetDateTime.now()).toMillis()) / 1000.0, OptionalLong.empty()));
  }

  /**
   * @param seconds since the pod turned Ready
   * @param seenNanos when this process saw it turn Ready (its nano clock), if it saw the transition
   */
  public record ReadySince(double seconds, OptionalLong seenNanos) {}
}
