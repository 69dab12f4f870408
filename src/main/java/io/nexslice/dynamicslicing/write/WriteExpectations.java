package io.nexslice.dynamicslicing.write;

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

  private enum State { AWAITING, SKIPPED, ECHO_DROPPED }

  private record Expected(String resourceVersion, long since, State state) {
    Expected with(State s) {
      return new Expected(resourceVersion, since, s);
    }
  }

  private final Map<String, Expected> pending = new ConcurrentHashMap<>();
  private final AtomicInteger writes = new AtomicInteger();

  static String key(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }

  /** Records a write that returned {@code resourceVersion}. */
  public void expect(String kind, String namespace, String name, String resourceVersion) {
    if (resourceVersion != null) {
      pending.put(key(kind, namespace, name), new Expected(resourceVersion, System.nanoTime(), State.AWAITING));
      if (writes.incrementAndGet() % SWEEP_EVERY == 0) {
        long now = System.nanoTime();
        pending.values().removeIf(e -> now - e.since() > MAX_AGE_NANOS);
      }
    }
  }

  /** What to do with a slot whose cached (snapshot) version is {@code cachedResourceVersion}. */
  public Wait waitFor(String kind, String namespace, String name, String cachedResourceVersion) {
    String k = key(kind, namespace, name);
    while (true) {
      Expected e = pending.get(k);
      if (e == null) {
        return Wait.NONE;
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
   * for it: the caller drops the event. False for anything else, which wakes the UE as usual.
   */
  public boolean dropEcho(String kind, String namespace, String name, String resourceVersion) {
    String k = key(kind, namespace, name);
    Expected e = pending.get(k);
    return e != null && e.state() == State.AWAITING && e.resourceVersion().equals(resourceVersion)
        && pending.replace(k, e, e.with(State.ECHO_DROPPED));
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
