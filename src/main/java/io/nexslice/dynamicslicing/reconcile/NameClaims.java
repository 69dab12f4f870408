package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.extended.controller.reconciler.Request;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers which UE waits for a name that a foreign object holds, so that the squatter's
 * deletion (an event on an object we do not own) wakes exactly that UE instead of a poll.
 */
public final class NameClaims {
  private final Map<String, Request> waiting = new ConcurrentHashMap<>();

  public void claim(String namespace, String name, Request ue) {
    waiting.put(namespace + "/" + name, ue);
  }

  public void release(Request ue) {
    waiting.values().removeIf(ue::equals);
  }

  public Request waitingFor(String namespace, String name) {
    return waiting.get(namespace + "/" + name);
  }
}
