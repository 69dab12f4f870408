package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.pool.UeKey;
import io.nexslice.dynamicslicing.reconcile.AttachTiming;
import io.nexslice.dynamicslicing.reconcile.ReconcileListener;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says how long the process took to its first finished reconcile, and, per scope of workers, to
 * the moment every UE present when they started had been reconciled once; then passes every report
 * on. How long a restart leaves UEs unserved is what operators ask of a controller's start-up, and
 * the benchmark (P5) reads the times of these lines.
 */
public final class StartUpLog implements ReconcileListener {
  private static final Logger log = LoggerFactory.getLogger(StartUpLog.class);
  private final ReconcileListener next;
  private final AtomicBoolean said = new AtomicBoolean();
  /** Per scope, the UEs present at its start not reconciled yet; a scope leaves once all were. */
  private final Map<String, Unseen> unseen = new ConcurrentHashMap<>();

  private record Unseen(Set<String> keys, int total) {}

  public StartUpLog(ReconcileListener next) {
    this.next = next;
  }

  @Override
  public void startingWith(String scope, Collection<String> ueKeys) {
    next.startingWith(scope, ueKeys);
    Set<String> keys = ConcurrentHashMap.newKeySet();
    keys.addAll(ueKeys);
    if (keys.isEmpty()) {
      allSeen(scope, 0);
    } else {
      unseen.put(scope, new Unseen(keys, keys.size()));
    }
  }

  @Override
  public void reconciled(Request ue, String outcome) {
    next.reconciled(ue, outcome);
    if (said.compareAndSet(false, true)) {
      log.info("First reconcile done {} ms after the JVM started ({} {}/{})",
          ManagementFactory.getRuntimeMXBean().getUptime(), outcome, ue.getNamespace(), ue.getName());
    }
    String key = ue.getNamespace() + "/" + ue.getName();
    unseen.forEach((scope, u) -> {
      // Only the reconcile that empties the set says so: remove() is true for one caller only.
      if (u.keys().remove(key) && u.keys().isEmpty() && unseen.remove(scope, u)) {
        allSeen(scope, u.total());
      }
    });
  }

  private static void allSeen(String scope, int ues) {
    log.info("Every UE present at start reconciled once in {}: {} UEs, {} ms after the JVM started", scope, ues,
        ManagementFactory.getRuntimeMXBean().getUptime());
  }

  @Override
  public void upfCreated(V1Pod ue, AttachTiming timing) {
    next.upfCreated(ue, timing);
  }

  @Override
  public void upfRemoved(Request ue) {
    next.upfRemoved(ue);
  }

  @Override
  public void waiting(UeKey ue, String reason) {
    next.waiting(ue, reason);
  }

  @Override
  public void notWaiting(UeKey ue) {
    next.notWaiting(ue);
  }
}
