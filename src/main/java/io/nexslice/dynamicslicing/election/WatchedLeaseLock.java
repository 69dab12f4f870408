package io.nexslice.dynamicslicing.election;

import io.kubernetes.client.extended.leaderelection.LeaderElectionRecord;
import io.kubernetes.client.extended.leaderelection.Lock;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1LeaseList;
import io.kubernetes.client.openapi.models.V1LeaseSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * client-java-extended's LeaseLock, read from a watch of the Lease instead of a GET per poll, and
 * renewed at its own pace instead of at every poll.
 *
 * <p>Why it exists: LeaderElector polls its Lock every retry period, and the same period is how
 * often the leader renews. With LeaseLock every poll is a GET and every renewal a PUT, so the 2 s
 * period that keeps API traffic low also made a standby take 2.6-4.2 s after a clean stop and
 * 19-20 s after a kill -9 (docs/BENCHMARKS.md, P6, measured with LeaseLock). Polling fast enough
 * for a sub-second hand-over would have cost 5-10 requests a second per replica. Here a poll reads
 * the informer's copy (no request), so the elector can poll every {@link #POLL}; the holder's
 * renewal is written only once the last write is {@code renewInterval} old, and acquisitions and
 * releases are written at once.
 *
 * <p>Safety does not depend on the cache being fresh: every write carries the resourceVersion it
 * was based on, so a write from a stale copy gets 409 and is retried from the next poll. A renewal
 * the lock skips is at most {@code renewInterval} younger than the last real write, so the leader
 * stops believing in its lease at most renewInterval + renew deadline after its last real write,
 * still before anyone else may take it (the lease duration; LeaderElectionSettings checks both).
 */
public final class WatchedLeaseLock implements Lock {
  /** How often LeaderElector polls this lock: a read of the watched copy, no request. */
  public static final Duration POLL = Duration.ofMillis(50);
  /** How long a poll waits for its write before calling it failed (the write still counts when it ends). */
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(WatchedLeaseLock.class);

  private final String namespace;
  private final String name;
  private final String identity;
  private final CoordinationV1Api api;
  private final long renewIntervalNanos;
  private final LongSupplier nanoClock;
  private final SharedInformerFactory factory;
  private final SharedIndexInformer<V1Lease> informer;
  /** The newest copy of the Lease seen, from the watch or from our own write's response. */
  private final AtomicReference<V1Lease> latest = new AtomicReference<>();
  /** Runs the writes (see write()): one at a time, in order. */
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "lease-writer");
    t.setDaemon(true);
    return t;
  });
  /** True from a failed write (other than 409) until the next successful one. */
  private volatile boolean failing;
  /** When this process last wrote the Lease as its holder, or -1. */
  private volatile long lastHolderWriteNanos = -1;

  /**
   * @param client for the writes
   * @param watchClient a client without read timeout, for the watch
   * @param renewInterval how often the holder writes its renewal (RETRY_PERIOD_SECONDS)
   */
  public WatchedLeaseLock(String namespace, String name, String identity, ApiClient client, ApiClient watchClient,
      Duration renewInterval, LongSupplier nanoClock) {
    this.namespace = namespace;
    this.name = name;
    this.identity = identity;
    this.api = new CoordinationV1Api(client);
    this.renewIntervalNanos = renewInterval.toNanos();
    this.nanoClock = nanoClock;
    this.factory = new SharedInformerFactory(watchClient);
    CoordinationV1Api watchApi = new CoordinationV1Api(watchClient);
    // Only our Lease: a field selector on its name, so other Leases of the namespace (node
    // heartbeats in kube-node-lease are elsewhere, but other controllers' live here) cost nothing.
    this.informer = factory.sharedIndexInformerFor(params -> watchApi.listNamespacedLease(namespace)
            .fieldSelector("metadata.name=" + name).resourceVersion(params.resourceVersion)
            .watch(params.watch).timeoutSeconds(params.timeoutSeconds).buildCall(null),
        V1Lease.class, V1LeaseList.class, 0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(V1Lease lease) {
        latest.set(lease);
      }

      @Override
      public void onUpdate(V1Lease old, V1Lease lease) {
        latest.set(lease);
      }

      @Override
      public void onDelete(V1Lease lease, boolean unknownFinalState) {
        latest.set(null);
      }
    });
  }

  public void start() {
    factory.startAllRegisteredInformers();
  }

  /** True once the Lease has been listed: before that, get() would wrongly report it absent. */
  public boolean hasSynced() {
    return informer.hasSynced();
  }

  public void stop() {
    factory.stopAllRegisteredInformers();
    writer.shutdown();
  }

  @Override
  public LeaderElectionRecord get() throws ApiException {
    V1Lease lease = latest.get();
    if (lease == null || lease.getSpec() == null) {
      throw new ApiException(HttpURLConnection.HTTP_NOT_FOUND, "Lease " + describe() + " not found");
    }
    return toRecord(lease.getSpec());
  }

  @Override
  public boolean create(LeaderElectionRecord record) {
    return write("create", record, () -> api.createNamespacedLease(namespace,
        new V1Lease().metadata(new V1ObjectMeta().name(name).namespace(namespace)).spec(toSpec(record))).execute());
  }

  @Override
  public boolean update(LeaderElectionRecord record) {
    V1Lease current = latest.get();
    if (current == null) {
      return false;
    }
    long now = nanoClock.getAsLong();
    if (isRenewalNotYetDue(identity, current.getSpec(), record, lastHolderWriteNanos, now, renewIntervalNanos)) {
      return true;
    }
    return replace(current, toSpec(record), record);
  }

  /**
   * Gives the Lease up if this process still holds it, so that a standby takes it at its next poll
   * instead of after the lease duration. LeaderElector.close() tries first, from the elector's copy;
   * when that write got 409 (a renewal in flight as it closed), this reads once more and retries.
   * Call it only once the elector has stopped renewing.
   */
  public boolean release() {
    for (int attempt = 0; attempt < 2; attempt++) {
      V1Lease current = latest.get();
      if (current == null || current.getSpec() == null || !identity.equals(current.getSpec().getHolderIdentity())) {
        return false;
      }
      // As client-go releases: no holder, no times, and a lease duration of 1 s (a Lease must have one).
      V1LeaseSpec released = new V1LeaseSpec().leaseDurationSeconds(1)
          .leaseTransitions(current.getSpec().getLeaseTransitions());
      if (replace(current, released, null)) {
        return true;
      }
      try {
        latest.set(api.readNamespacedLease(name, namespace).execute());
      } catch (ApiException e) {
        log.warn("Could not read Lease {} to give it up: HTTP {}", describe(), e.getCode());
        return false;
      }
    }
    return false;
  }

  private boolean replace(V1Lease current, V1LeaseSpec spec, LeaderElectionRecord record) {
    // The copy's metadata carries its resourceVersion: the server refuses the write (409) if
    // anyone wrote since. The cached object itself is never modified.
    return write("update", record, () -> api.replaceNamespacedLease(name, namespace,
        new V1Lease().metadata(current.getMetadata()).spec(spec)).execute());
  }

  /**
   * Runs the request on this lock's own thread and waits for it without heeding interrupts.
   * Why: LeaderElector gives each poll {@link #POLL} and then interrupts it, and an interrupted
   * OkHttp call is abandoned mid-flight, yet may have reached the server. On a freshly started or
   * CPU-throttled replica a write often takes longer than a poll, so every attempt was cut and a
   * standby needed 1-2 s of attempts to take a given-up lease (measured, P6). Here the write
   * completes and records its result even when nobody waits for it any more, so the next poll
   * finds the Lease ours and the elector's renewal of it costs no request.
   */
  private boolean write(String verb, LeaderElectionRecord record, Callable<V1Lease> request) {
    if (writer.isShutdown()) {
      return false; // stopped: nothing more is written
    }
    Future<Boolean> done = writer.submit(() -> {
      try {
        V1Lease written = request.call();
        latest.set(written);
        lastHolderWriteNanos = record != null && identity.equals(record.getHolderIdentity()) ? nanoClock.getAsLong() : -1;
        if (failing) {
          failing = false;
          log.info("Lease {}: writes succeed again", describe());
        }
        return true;
      } catch (ApiException e) {
        logRefusal(verb, e);
        return false;
      }
    });
    boolean interrupted = false;
    long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
    try {
      while (true) {
        try {
          return done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (TimeoutException e) {
          log.warn("Lease {} {}: no answer in {} s; its result counts when it comes", describe(), verb,
              WRITE_TIMEOUT.toSeconds());
          return false;
        } catch (ExecutionException e) {
          log.warn("Lease {} {} failed: {}", describe(), verb, e.getCause().toString());
          return false;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * One dry-run write of the Lease as it is, so that a standby's first real write (the one that
   * takes the lease over) does not pay for loading and compiling the write path: measured at
   * several hundred ms on a new replica with the manifests' 1-CPU limit. Validated by the API
   * server, stored nowhere; a 409 (the copy went stale meanwhile) warms the path just as well.
   */
  public void warmUpWrites() {
    V1Lease current = latest.get();
    if (current == null) {
      return;
    }
    try {
      api.replaceNamespacedLease(name, namespace, new V1Lease().metadata(current.getMetadata()).spec(current.getSpec()))
          .dryRun("All").execute();
    } catch (ApiException e) {
      log.debug("Dry-run write of Lease {}: HTTP {}", describe(), e.getCode());
    }
  }

  /**
   * A 409 is the normal outcome of a race and stays at debug. Other failures are retried at
   * every poll (10 a second while the lease is up for grabs), so only the first of a streak is a
   * warning; the streak's end is logged at info.
   */
  private void logRefusal(String verb, ApiException e) {
    if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
      log.debug("Lease {} {}: 409, someone wrote first; retried from the next poll", describe(), verb);
      return;
    }
    String why = "HTTP " + e.getCode() + " " + (e.getCode() == 0 ? Objects.toString(e.getCause()) : e.getResponseBody());
    if (failing) {
      log.debug("Lease {} {} failed again: {}", describe(), verb, why);
    } else {
      failing = true;
      log.warn("Lease {} {} failed: {}; retried at every poll, logged again once it works", describe(), verb, why);
    }
  }

  @Override
  public String identity() {
    return identity;
  }

  @Override
  public String describe() {
    return namespace + "/" + name;
  }

  /**
   * True when {@code record} only renews what the Lease already says we hold (same holder, same
   * acquire time) and our last write of it is younger than the renew interval: the poll may skip
   * the write. An acquisition, a release, a first write by this process (a restarted container of
   * the same pod has the same identity) or a Lease held by someone else is always written.
   */
  static boolean isRenewalNotYetDue(String identity, V1LeaseSpec current, LeaderElectionRecord record,
      long lastHolderWriteNanos, long nowNanos, long renewIntervalNanos) {
    if (current == null || lastHolderWriteNanos < 0 || !identity.equals(record.getHolderIdentity())
        || !identity.equals(current.getHolderIdentity())) {
      return false;
    }
    Date acquired = current.getAcquireTime() == null ? null : Date.from(current.getAcquireTime().toInstant());
    return Objects.equals(acquired, record.getAcquireTime()) && nowNanos - lastHolderWriteNanos < renewIntervalNanos;
  }

  /** The Lease as LeaderElector reads it; the same mapping as LeaseLock's. */
  static LeaderElectionRecord toRecord(V1LeaseSpec spec) {
    LeaderElectionRecord record = new LeaderElectionRecord();
    if (spec.getAcquireTime() != null) {
      record.setAcquireTime(Date.from(spec.getAcquireTime().toInstant()));
    }
    if (spec.getRenewTime() != null) {
      record.setRenewTime(Date.from(spec.getRenewTime().toInstant()));
    }
    record.setHolderIdentity(spec.getHolderIdentity());
    record.setLeaderTransitions(spec.getLeaseTransitions());
    record.setLeaseDurationSeconds(spec.getLeaseDurationSeconds());
    return record;
  }

  static V1LeaseSpec toSpec(LeaderElectionRecord record) {
    return new V1LeaseSpec().holderIdentity(record.getHolderIdentity())
        .leaseDurationSeconds(record.getLeaseDurationSeconds())
        .leaseTransitions(record.getLeaderTransitions())
        .acquireTime(utc(record.getAcquireTime()))
        .renewTime(utc(record.getRenewTime()));
  }

  private static OffsetDateTime utc(Date date) {
    return date == null ? null : OffsetDateTime.ofInstant(Instant.ofEpochMilli(date.getTime()), ZoneOffset.UTC);
  }
}
