package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.extended.event.EventType;
import io.kubernetes.client.extended.event.legacy.EventCorrelator;
import io.kubernetes.client.extended.event.legacy.EventRecorder;
import io.kubernetes.client.extended.event.legacy.EventSink;
import io.kubernetes.client.extended.event.legacy.LegacyEventBroadcaster;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1EventSource;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.util.PatchUtils;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.lang3.tuple.MutablePair;

/**
 * client-java's LegacyEventBroadcaster, built through its (correlator, sink) constructor so that
 * the controller can tell when every event it recorded has been handed to the API server.
 *
 * <p>Why: the broadcaster sends from a queue on its own thread, and its shutdown() drops what is
 * still queued, so the UpfCreated of a UPF made just before a stop or a hand-over would never be
 * seen. Counting at the three hooks the library offers (the recorder, the correlator that takes
 * each queued event once, the sink that sends it) says when the queue is empty and no send is
 * under way, with no reflection into the broadcaster and no fixed wait.
 */
final class EventDelivery {
  /** Quiet time after the last correlate or send before the sender counts as idle (see isIdle()). */
  private static final long SETTLE_NANOS = 20_000_000L;

  private final LegacyEventBroadcaster broadcaster;
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicLong taken = new AtomicLong();
  private final AtomicInteger sending = new AtomicInteger();
  private volatile long lastActivityNanos = System.nanoTime();

  EventDelivery(CoreV1Api core) {
    this.broadcaster = new LegacyEventBroadcaster(new CountingCorrelator(), new CountingSink(core));
  }

  /** The recorder the reconcilers use: the library's, counted. */
  EventRecorder recorder(V1EventSource source) {
    return new CountingRecorder(broadcaster.newRecorder(source));
  }

  void start() {
    broadcaster.startRecording();
  }

  /** Waits, at most {@code max}, until every recorded event has been sent (or failed), then stops the sender. */
  void drainAndStop(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!isIdle() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    broadcaster.shutdown();
  }

  /**
   * Every recorded event was taken off the queue, no send is under way, and nothing happened for
   * SETTLE_NANOS: the library calls the sink right after the correlator (microseconds), so the
   * quiet time covers that step; a failed send's retry (10 s later) is not waited for.
   */
  boolean isIdle() {
    return taken.get() >= recorded.get() && sending.get() == 0 && System.nanoTime() - lastActivityNanos > SETTLE_NANOS;
  }

  private final class CountingCorrelator extends EventCorrelator {
    @Override
    public Optional<MutablePair<CoreV1Event, V1Patch>> correlate(CoreV1Event event) {
      lastActivityNanos = System.nanoTime();
      try {
        return super.correlate(event);
      } finally {
        taken.incrementAndGet();
        lastActivityNanos = System.nanoTime();
      }
    }
  }

  /** The library's default sink (create, replace, strategic-merge patch), counted. */
  private final class CountingSink implements EventSink {
    private final CoreV1Api core;

    CountingSink(CoreV1Api core) {
      this.core = core;
    }

    @Override
    public CoreV1Event create(CoreV1Event event) throws ApiException {
      return counted(() -> core.createNamespacedEvent(event.getMetadata().getNamespace(), event).execute());
    }

    @Override
    public CoreV1Event update(CoreV1Event event) throws ApiException {
      return counted(() -> core.replaceNamespacedEvent(event.getMetadata().getName(), event.getMetadata().getNamespace(),
          event).execute());
    }

    @Override
    public CoreV1Event patch(CoreV1Event event, V1Patch patch) throws ApiException {
      return counted(() -> PatchUtils.patch(CoreV1Event.class,
          () -> core.patchNamespacedEvent(event.getMetadata().getName(), event.getMetadata().getNamespace(), patch)
              .buildCall(null),
          V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, core.getApiClient()));
    }

    private CoreV1Event counted(Send send) throws ApiException {
      sending.incrementAndGet();
      try {
        return send.call();
      } finally {
        lastActivityNanos = System.nanoTime();
        sending.decrementAndGet();
      }
    }
  }

  @FunctionalInterface
  private interface Send {
    CoreV1Event call() throws ApiException;
  }

  private final class CountingRecorder implements EventRecorder {
    private final EventRecorder delegate;

    CountingRecorder(EventRecorder delegate) {
      this.delegate = delegate;
    }

    /** Counted before the library enqueues, so a drain never sees the taker ahead; uncounted if it throws. */
    private void counted(Runnable record) {
      recorded.incrementAndGet();
      try {
        record.run();
      } catch (RuntimeException e) {
        recorded.decrementAndGet();
        throw e;
      }
    }

    @Override
    public void event(KubernetesObject object, EventType t, String reason, String format, String... args) {
      counted(() -> delegate.event(object, t, reason, format, args));
    }

    @Override
    public void event(KubernetesObject object, Map<String, String> annotations, EventType t, String reason, String format,
        String... args) {
      counted(() -> delegate.event(object, annotations, t, reason, format, args));
    }

    @Override
    public void event(V1ObjectReference ref, EventType t, String reason, String format, String... args) {
      counted(() -> delegate.event(ref, t, reason, format, args));
    }

    @Override
    public void event(V1ObjectReference ref, Map<String, String> annotations, EventType t, String reason, String format,
        String... args) {
      counted(() -> delegate.event(ref, annotations, t, reason, format, args));
    }
  }
}
