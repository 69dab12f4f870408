package io.nexslice.dynamicslicing.reconcile;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Our own writes the informer caches have not delivered yet, the "expectations" of Kubernetes'
 * own controllers. Deployments, Services and ConfigMaps come through three separate watches, so
 * a reconcile woken by our new Deployment may run before our ConfigMap is in its cache; without
 * this it would apply the ConfigMap again (a no-op) and report the UPF as updated.
 *
 * <p>After a write we expect the resourceVersion the API server returned. An expectation is
 * judged only against the cache snapshot the reconcile itself read: a snapshot holding that
 * version (or a later one) meets it; one that does not means "skip this slot", and the arrival of
 * the version wakes the UE again. (Clearing expectations when the event arrives was racy: a
 * reconcile that had read its snapshot a moment before would then trust it and write again.)
 * Deletes forget the expectation; a bound on age keeps a lost one from hiding a slot for long.
 */
public final class WriteExpectations {
  /**
   * Watches deliver in milliseconds; an expectation older than this was met unseen (the event
   * came before the write returned and the object has gone since) or lost. Past it, the slot is
   * compared as usual: at worst one needless apply, never a UE left waiting.
   */
  static final long MAX_AGE_NANOS = 2_000_000_000L;

  private record Expected(String resourceVersion, long since) {}

  private final Map<String, Expected> pending = new ConcurrentHashMap<>();

  static String key(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }

  /** Records a write that returned {@code resourceVersion}. */
  void expect(String kind, String namespace, String name, String resourceVersion) {
    if (resourceVersion != null) {
      pending.put(key(kind, namespace, name), new Expected(resourceVersion, System.nanoTime()));
    }
  }

  /** True while the cache has not yet delivered our last write of this object. */
  boolean isPending(String kind, String namespace, String name, String cachedResourceVersion) {
    String k = key(kind, namespace, name);
    Expected e = pending.get(k);
    if (e == null) {
      return false;
    }
    if (atLeast(cachedResourceVersion, e.resourceVersion()) || System.nanoTime() - e.since() > MAX_AGE_NANOS) {
      pending.remove(k, e);
      return false;
    }
    return true;
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
