package io.nexslice.dynamicslicing.app;

import io.kubernetes.client.extended.controller.Controller;
import io.kubernetes.client.extended.controller.LeaderElectingController;
import io.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.kubernetes.client.extended.leaderelection.LeaderElector;
import io.kubernetes.client.openapi.ApiClient;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.config.LeaderElectionSettings;
import io.nexslice.dynamicslicing.controller.ReadyObservations;
import io.nexslice.dynamicslicing.controller.StartUpLog;
import io.nexslice.dynamicslicing.controller.UpfController;
import io.nexslice.dynamicslicing.election.OwnPodDeletion;
import io.nexslice.dynamicslicing.election.WatchedLeaseLock;
import io.nexslice.dynamicslicing.status.ClusterView;
import io.nexslice.dynamicslicing.status.ControllerMetrics;
import io.nexslice.dynamicslicing.status.HealthServer;
import io.nexslice.dynamicslicing.status.MetricsEndpoint;
import io.nexslice.dynamicslicing.status.StatusApi;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One controller process: the UPF controller, optionally behind leader election, and its HTTP
 * endpoints (/healthz, /readyz, /metrics, /api/ues, /api/ue-count). Main runs one; tests run
 * several in one JVM.
 *
 * <p>With leader election every replica runs the informers and keeps its caches synced (a warm
 * standby: readiness, /api and the cache-computed metrics mean the same on both), and only the
 * Lease holder runs the workers that reconcile and write. A new leader starts from its warm
 * cache and the keys queued meanwhile, with no relist. Losing the lease shuts the controller
 * down at once and calls {@code onLostLeadership}: informers cannot be restarted, so Main exits
 * and the pod restarts.
 */
public final class DynamicSlicingApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DynamicSlicingApp.class);

  private final ControllerConfig config;
  private final UpfController controller;
  private final ControllerMetrics metrics;
  private final HealthServer http;
  private final Runnable onLostLeadership;
  private final ApiClient client;
  private final ApiClient watchClient;
  private volatile boolean leading;
  private volatile boolean closing;
  private boolean closed;
  private LeaderElector leaderElector;
  private WatchedLeaseLock lock;
  private OwnPodDeletion ownPodDeletion;
  private Thread electionThread;

  public DynamicSlicingApp(ControllerConfig config, ApiClient client, ApiClient watchClient, Runnable onLostLeadership)
      throws IOException {
    this.config = config;
    this.client = client;
    this.watchClient = watchClient;
    this.onLostLeadership = onLostLeadership;
    ReadyObservations readyObservations = new ReadyObservations(System::nanoTime);
    this.metrics = new ControllerMetrics(readyObservations);
    this.controller = new UpfController(config, client, watchClient, new StartUpLog(metrics));
    controller.namespaces().forEach(nc -> nc.addPodHandler(readyObservations));
    ClusterView view = new ClusterView(controller.namespaces(), controller.budget(), controller.registry());
    metrics.collectFrom(view, config.upfProfile(), this::isLeader, controller::hasSynced);
    this.http = new HealthServer(config.httpPort(), this::isReady);
    new MetricsEndpoint(metrics.registry()).register(http);
    new StatusApi(view).register(http);
  }

  /** Starts the HTTP endpoints and either the controller or the campaign for its lease; returns at once. */
  public void start() {
    http.start();
    controller.startInformers();
    LeaderElectionSettings le = config.leaderElection();
    if (!le.enabled()) {
      leading = true;
      controller.start();
      return;
    }
    lock = new WatchedLeaseLock(le.leaseNamespace(), le.leaseName(), le.identity(), client, watchClient,
        le.retryPeriod(), System::nanoTime);
    lock.start();
    le.ownPod().ifPresent(pod -> {
      ownPodDeletion = new OwnPodDeletion(pod.namespace(), pod.name(), watchClient, this::stepDown);
      ownPodDeletion.start();
    });
    // The elector polls the watched Lease every WatchedLeaseLock.POLL; the lock writes renewals
    // every retry period. A poll whose write outlasts the poll period is given up by the elector
    // (the write itself completes, and the next poll sees its result): say so briefly instead of
    // the library's stack trace.
    leaderElector = new LeaderElector(
        new LeaderElectionConfig(lock, le.leaseDuration(), le.renewDeadline(), WatchedLeaseLock.POLL),
        t -> log.info("Lease {}/{}: a write outlasted the {} ms poll; the next poll sees its result ({})", le.leaseNamespace(),
            le.leaseName(), WatchedLeaseLock.POLL.toMillis(), t.toString()));
    LeaderElectingController elector = new LeaderElectingController(leaderElector, new Controller() {
      @Override
      public void run() {
        leading = true;
        log.info("Became leader: lease {}/{} held by {}", le.leaseNamespace(), le.leaseName(), le.identity());
        controller.run();
      }

      @Override
      public void shutdown() {
        leading = false;
        controller.shutdown();
      }
    });
    electionThread = new Thread(() -> {
      // Campaign only once the Lease is listed: before that the lock would report it absent.
      while (!lock.hasSynced() && !closing) {
        try {
          Thread.sleep(WatchedLeaseLock.POLL.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
      if (closing) {
        return;
      }
      lock.warmUpWrites();
      elector.run();
      if (!closing) {
        log.error("Lost the lease {}/{}: stopped reconciling", le.leaseNamespace(), le.leaseName());
        leading = false;
        controller.shutdown();
        onLostLeadership.run();
      }
    }, "leader-election");
    electionThread.setDaemon(true);
    electionThread.start();
    log.info("Campaigning for lease {}/{} as {}", le.leaseNamespace(), le.leaseName(), le.identity());
  }

  /** True when this instance reconciles. */
  public boolean isLeader() {
    return leading;
  }

  /** Ready once the caches are synced, leader or standby: a standby is ready to take over at once. */
  public boolean isReady() {
    return !closing && controller.hasSynced();
  }

  public int httpPort() {
    return http.port();
  }

  public UpfController controller() {
    return controller;
  }

  /**
   * Stops reconciling, then gives up the lease so a standby takes over at its next poll; the
   * informers and HTTP endpoints stay up (not ready) until {@link #close()}. Called at SIGTERM
   * through close(), or earlier when this replica's own pod is being deleted (OwnPodDeletion).
   * The order matters: nothing may be written once the lease is given up, so the workers stop
   * first, then the elector's renewals, and only then is the Lease released.
   * (LeaderElectingController.shutdown() stops only the controller: the elector would keep
   * renewing the lease and no standby could ever take over.)
   */
  public synchronized void stepDown() {
    if (closing) {
      return;
    }
    closing = true;
    leading = false;
    controller.shutdown();
    if (leaderElector != null) {
      // close() stops the elector's executors, so no renewal starts after it, and gives the
      // lease up. A renewal already in flight cannot outlive the release: each write names the
      // resourceVersion it was based on, so whichever comes second gets 409. If the elector's
      // release was the one refused, release() re-reads and gives the lease up.
      leaderElector.close();
      if (lock.release()) {
        log.info("Gave up the lease {}", lock.describe());
      }
    }
  }

  /** Steps down if not done yet, then stops the watches and the HTTP endpoints. */
  @Override
  public synchronized void close() {
    stepDown();
    if (closed) {
      return;
    }
    closed = true;
    if (ownPodDeletion != null) {
      ownPodDeletion.stop();
    }
    if (lock != null) {
      lock.stop();
    }
    http.close();
  }
}