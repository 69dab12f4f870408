package io.nexslice.dynamicslicing.write;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Our own writes the informer caches have not delivered yet, the "expectations" of Kubernetes'
 * own controllers. Deployments, Services and ConfigMaps come through three separate watches, so
 * a reconcile woken by our new Deployment may run before our ConfigMap is in its cache; without
 * this it would apply the ConfigMap again (a no-op) and report the UPF as updated.
 *
 * <p>After a write we expect the resourceVersion the API server returned. An expectation is
 * judged only against the cache snapshot the reconcile itself read: a snapshot holding that
 * version (or a later one) meets it; one that does not means "skip this slot" until the version
 * arrives. (Clearing expectations when the event arrives was racy: a reconcile that had read its
 * snapshot a moment before would then trust it and write again.)
 *
 * <p>The watch event of our own write (its echo) tells the controller nothing it did not know,
 * yet it used to wake the UE for a reconcile that found nothing to do: about two per attach,
 * most of the controller's work in a burst (docs/BENCHMARKS.md, P2). So an echo is dropped,
 * unless a reconcile has skipped the slot waiting for it. Whichever comes first wins, atomically:
 * a reconcile that finds the echo already dropped asks to be run again instead of waiting.
 * Deletes forget the expectation; a bound on age keeps a lost one from hiding a slot for long.
 *
 * <p>The echo often arrives before the write's answer: the API server sends both at once, and
 * the watch is the shorter way (measured: one of the three echoes of an attach escaped this way,
 * a second, empty reconcile per attach). So a write announces itself first ({@link #writing});
 * events of the object until its answer are held back, not delivered; the answer then tells which
 * of them was the echo. Any other held event (a change by someone else during the write) makes
 * {@link #written} answer true, and the caller looks again: held back, never lost.
 */
public final class WriteExpectations {
  /**
   * Watches deliver in milliseconds; an expectation older than this was met unseen (the event
   * came before the write returned and the object has gone since) or lost. Past it, the slot is
   * compared as usual: at worst one needless apply, never a UE left waiting.
   */
  static final long MAX_AGE_NANOS = 2_000_000_000L;
  /** Expectations are swept of old entries every this many writes (they are useless past MAX_AGE). */
  private static final int SWEEP_EVERY = 1024;

  /** What a reconcile does with a slot whose snapshot lacks our last write of it. */
  public enum Wait {
    /** Nothing pending: compare the snapshot as usual. */
    NONE,
    /** Skip the slot; the echo of our write wakes the UE again. */
    FOR_ECHO,
    /** Skip the slot and run again: the echo came (and was dropped) after this snapshot was read. */
    RECHECK
  }

  private enum State { WRITING, AWAITING, SKIPPED, ECHO_DROPPED }

  /** resourceVersion is null while WRITING; held lists the versions of events held back meanwhile. */
  private record Expected(String resourceVersion, long since, State state, List<String> held) {
    Expected with(State s) {
      return new Expected(resourceVersion, since, s, held);
    }
  }

  private final Map<String, Expected> pending = new ConcurrentHashMap<>();
  private final AtomicInteger writes = new AtomicInteger();

  static String key(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }

  /**
   * A write of the object is about to go out: until {@link #written} or {@link #forget}, its
   * watch events are held back (see the class comment).
   */
  public void writing(String kind, String namespace, String name) {
    pending.put(key(kind, namespace, name), new Expected(null, System.nanoTime(), State.WRITING, List.of()));
  }

  /**
   * Records a write that returned {@code resourceVersion} (null: the answer did not say). True
   * when an event of the object other than this write's echo was held back while it was under
   * way: the caller must look at the object again.
   */
  public boolean written(String kind, String namespace, String name, String resourceVersion) {
    String k = key(kind, namespace, name);
    boolean[] missed = {false};
    pending.compute(k, (key, e) -> {
      List<String> held = e != null && e.state() == State.WRITING ? e.held() : List.of();
      missed[0] = held.stream().anyMatch(v -> !v.equals(resourceVersion));
      if (resourceVersion == null) {
        return null;
      }
      State state = held.contains(resourceVersion) ? State.ECHO_DROPPED : State.AWAITING;
      return new Expected(resourceVersion, System.nanoTime(), state, List.of());
    });
    if (writes.incrementAndGet() % SWEEP_EVERY == 0) {
      long now = System.nanoTime();
      // A write under way is never swept: the events it holds back would be lost with it.
      pending.values().removeIf(e -> e.state() != State.WRITING && now - e.since() > MAX_AGE_NANOS);
    }
    return missed[0];
  }

  /** Records a write that returned {@code resourceVersion}, made without {@link #writing}. */
  public void expect(String kind, String namespace, String name, String resourceVersion) {
    written(kind, namespace, name, resourceVersion);
  }

  /** What to do with a slot whose cached (snapshot) version is {@code cachedResourceVersion}. */
  public Wait waitFor(String kind, String namespace, String name, String cachedResourceVersion) {
    String k = key(kind, namespace, name);
    while (true) {
      Expected e = pending.get(k);
      if (e == null) {
        return Wait.NONE;
      }
      if (e.state() == State.WRITING) {
        // Writes of one object are serialised (one UE or slice group at a time), so this is
        // not expected; if it happens, looking again shortly is always safe.
        return Wait.RECHECK;
      }
      if (atLeast(cachedResourceVersion, e.resourceVersion()) || System.nanoTime() - e.since() > MAX_AGE_NANOS) {
        pending.remove(k, e);
        return Wait.NONE;
      }
      switch (e.state()) {
        case SKIPPED:
          return Wait.FOR_ECHO;
        case ECHO_DROPPED:
          return Wait.RECHECK;
        default:
          if (pending.replace(k, e, e.with(State.SKIPPED))) {
            return Wait.FOR_ECHO;
          }
          // the echo changed the state meanwhile: look again
      }
    }
  }

  /**
   * True when a watch event is the echo of our last write of the object and no reconcile waits
   * for it, or arrives while a write of the object is under way (held back: see
   * {@link #written}): the caller drops the event. False for anything else, which wakes the UE.
   */
  public boolean dropEcho(String kind, String namespace, String name, String resourceVersion) {
    String k = key(kind, namespace, name);
    while (true) {
      Expected e = pending.get(k);
      if (e == null) {
        return false;
      }
      if (e.state() == State.WRITING) {
        List<String> held = new ArrayList<>(e.held());
        held.add(resourceVersion);
        if (pending.replace(k, e, new Expected(null, e.since(), State.WRITING, List.copyOf(held)))) {
          return true;
        }
        continue; // the answer came meanwhile: judge the event against it
      }
      return e.state() == State.AWAITING && e.resourceVersion().equals(resourceVersion)
          && pending.replace(k, e, e.with(State.ECHO_DROPPED));
    }
  }

  /**
   * True when {@code cached} is our version or a later one. resourceVersions are opaque by
   * contract but etcd revisions in practice: compared as numbers when both are, else for equality.
   */
  static boolean atLeast(String cached, String expected) {
    if (cached == null) {
      return false;
    }
    try {
      return Long.parseLong(cached) >= Long.parseLong(expected);
    } catch (NumberFormatException e) {
      return cached.equals(expected);
    }
  }

  /** Forgets an object (deleted, by us or anyone: nothing more to expect of it). */
  public void forget(String kind, String namespace, String name) {
    pending.remove(key(kind, namespace, name));
  }
}
