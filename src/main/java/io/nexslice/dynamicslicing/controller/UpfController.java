package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.extended.controller.Controller;
import io.kubernetes.client.extended.event.legacy.EventRecorder;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1EventSource;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.cache.CacheDecoder;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.config.UpfMode;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.pool.PoolAllocator;
import io.nexslice.dynamicslicing.pool.SliceBudget;
import io.nexslice.dynamicslicing.pool.UeSubnets;
import io.nexslice.dynamicslicing.profile.Profiles;
import io.nexslice.dynamicslicing.profile.UpfProfile;
import io.nexslice.dynamicslicing.reconcile.GuardedReconciler;
import io.nexslice.dynamicslicing.reconcile.InFlight;
import io.nexslice.dynamicslicing.reconcile.NameClaims;
import io.nexslice.dynamicslicing.reconcile.ReconcileContext;
import io.nexslice.dynamicslicing.reconcile.ReconcileListener;
import io.nexslice.dynamicslicing.reconcile.SliceUpfReconciler;
import io.nexslice.dynamicslicing.reconcile.SlotWriter;
import io.nexslice.dynamicslicing.reconcile.UpfReconciler;
import io.nexslice.dynamicslicing.slice.SliceResolver;
import io.nexslice.dynamicslicing.smf.Free5gcRegistrar;
import io.nexslice.dynamicslicing.smf.Free5gcSmfClient;
import io.nexslice.dynamicslicing.smf.UpfRegistry;
import io.nexslice.dynamicslicing.write.ParallelWrites;
import io.nexslice.dynamicslicing.write.ServerSideApplyWriter;
import io.nexslice.dynamicslicing.write.UeMarks;
import io.nexslice.dynamicslicing.write.WriteExpectations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole controller as one runnable unit: a NamespaceController per watched namespace, each
 * with its own UpfReconciler, sharing one event recorder and one writer. Started by Main, and by
 * the integration tests in-process.
 */
public final class UpfController implements Controller {
  private static final Logger log = LoggerFactory.getLogger(UpfController.class);

  private final List<NamespaceController> namespaces = new ArrayList<>();
  private final List<Controller> managers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final EventDelivery eventDelivery;
  private final PoolAllocator pool;
  private final SliceBudget budget;
  private final UpfRegistry registry;
  private final Optional<Free5gcRegistrar> registrar;
  private final ControllerConfig config;
  private final InFlight inFlight = new InFlight();
  private final ParallelWrites parallelWrites;
  private final Runnable warmUp;
  private volatile boolean stopped;
  private boolean informersStarted;

  /**
   * @param client client for writes (bounded timeouts)
   * @param watchClient client for informers (no read timeout: watches are long requests)
   */
  public UpfController(ControllerConfig config, ApiClient client, ApiClient watchClient, ReconcileListener listener) {
    this.config = config;
    this.eventDelivery = new EventDelivery(new CoreV1Api(client));
    EventRecorder events = eventDelivery.recorder(new V1EventSource().component(Names.CONTROLLER));
    UpfProfile profile = Profiles.fromConfig(config);
    UpfDesiredState desired = new UpfDesiredState(profile, config.upfImage(), config.upfReplicas(),
        config.nrfHosts()::forSst);
    WriteExpectations expectations = new WriteExpectations();
    // One ApplyJson (one Gson) for the comparison and the writes, the one the warm-up warms.
    ApplyJson applyJson = new ApplyJson(client.getJSON());
    ServerSideApplyWriter writer = new ServerSideApplyWriter(client, applyJson);
    UeMarks marks = new UeMarks(writer, expectations);
    this.warmUp = () -> ReconcileWarmUp.run(desired, applyJson);
    SliceResolver slices = new SliceResolver(config.defaultSlice());
    // One decoder for every namespace: its packing dictionaries are made of this controller's
    // own UPF objects, which are alike across namespaces.
    CacheDecoder decoder = new CacheDecoder();
    for (String ns : NamespaceController.namespacesOf(config)) {
      namespaces.add(new NamespaceController(ns, watchClient, config, decoder));
    }
    // A reconcile writes a UPF's objects at once, one on its worker and up to two beside it; past
    // 32 threads (many namespaces), writes wait their turn rather than add threads.
    this.parallelWrites = ParallelWrites.pooled(Math.min(32, 2 * config.workers() * namespaces.size()));
    SlotWriter slotWriter = new SlotWriter(applyJson, writer, expectations, parallelWrites);
    // One allocator for every namespace: UE address blocks must be unique across the testbed.
    this.pool = new PoolAllocator(config.pool(), block -> {
      Map<String, String> pools = new HashMap<>();
      namespaces.forEach(nc -> pools.putAll(nc.poolsOverlapping(block)));
      return pools;
    });
    UeSubnets subnets = profile.smfAssignsAddresses()
        ? UeSubnets.fromSmf(config.sliceUeSubnets()::forDnn)
        : UeSubnets.fromPool(pool);
    this.budget = new SliceBudget(config.mode() == UpfMode.PER_UE ? config.maxUpfsPerSlice() : 0,
        upfsIndexed(Indexes.BY_SLICE));
    this.registrar = config.free5gcSmf()
        .map(url -> new Free5gcRegistrar(new Free5gcSmfClient(url), config.free5gcAnName()));
    this.registry = registrar.<UpfRegistry>map(r -> r).orElse(UpfRegistry.NONE);
    for (NamespaceController nc : namespaces) {
      NameClaims claims = new NameClaims();
      ReconcileContext context = new ReconcileContext(nc.cache(), claims, slices, subnets, desired, slotWriter, marks,
          events, registry, listener);
      GuardedReconciler reconciler = config.mode() == UpfMode.PER_SLICE
          ? new SliceUpfReconciler(context, config)
          : new UpfReconciler(context, config.ueSelector(), budget);
      nc.observeWrites(expectations);
      reconciler.countIn(inFlight);
      managers.add(nc.build(reconciler, new OwnerKeys(claims), expectations, config.workers(), budget, listener));
    }
  }

  /**
   * Starts the informers of every namespace, and warms the reconcile path up, without reconciling:
   * what a standby replica runs, so that taking over needs no relist. Events meanwhile queue their
   * keys (deduplicated), which the workers drain once {@link #start} runs. Idempotent.
   */
  public synchronized void startInformers() {
    if (informersStarted) {
      return;
    }
    informersStarted = true;
    namespaces.forEach(NamespaceController::startInformers);
    // While the informers list, warm the reconcile path up (see ReconcileWarmUp); a failure
    // here is not one: the first real reconcile meets and reports the same cause.
    Thread warm = new Thread(() -> {
      try {
        warmUp.run();
      } catch (RuntimeException e) {
        log.debug("Warm-up of the reconcile path failed: {}", e.toString());
      }
    }, "warm-up");
    warm.setDaemon(true);
    warm.start();
  }

  /** For a key, the UPFs {@code index} files under it, over every watched namespace. */
  private Function<String, Set<String>> upfsIndexed(String index) {
    return key -> {
      Set<String> holders = new HashSet<>();
      namespaces.forEach(nc -> holders.addAll(nc.upfsIndexed(index, key)));
      return holders;
    };
  }

  /** Starts informers (if not yet) and workers of every namespace and returns at once. */
  public void start() {
    startInformers();
    eventDelivery.start();
    for (int i = 0; i < managers.size(); i++) {
      Controller manager = managers.get(i);
      Thread t = new Thread(manager::run, "controller-" + namespaces.get(i).label());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    registrar.ifPresent(this::sweepWhenSynced);
    log.info("Started UPF controller for namespaces {}",
        namespaces.stream().map(NamespaceController::label).toList());
  }

  /**
   * Once the caches are synced, removes from the SMF the nodes of ours whose UPF is gone (left by
   * a crash, or by a predecessor) and learns which it holds; retried with backoff until it works.
   */
  private void sweepWhenSynced(Free5gcRegistrar r) {
    Thread t = new Thread(() -> {
      long backoffMs = 500;
      while (!stopped) {
        if (hasSynced()) {
          Optional<String> failure = r.sweep(
              ns -> config.watchesAllNamespaces() || config.watchNamespaces().contains(ns),
              (ns, upf) -> namespaces.stream().anyMatch(nc -> nc.ownsUpf(ns, upf)));
          if (failure.isEmpty()) {
            log.info("Read the SMF's topology at {}: {} UPF(s) of ours registered", r.target(), r.registeredCount());
            return;
          }
          log.warn("Cannot read the SMF's topology at {}, retrying in {} ms: {}", r.target(), backoffMs, failure.get());
        }
        try {
          Thread.sleep(hasSynced() ? backoffMs : 100);
        } catch (InterruptedException e) {
          return;
        }
        if (hasSynced()) {
          backoffMs = Math.min(backoffMs * 2, 30_000);
        }
      }
    }, "smf-sweep");
    t.setDaemon(true);
    t.start();
  }

  /** Runs until shut down: the form LeaderElectingController expects. */
  @Override
  public void run() {
    start();
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** True once every informer has listed its objects. */
  public boolean hasSynced() {
    return !namespaces.isEmpty() && namespaces.stream().allMatch(NamespaceController::hasSynced);
  }

  /** Where UPFs are registered with the core (UpfRegistry.NONE when nowhere). */
  public UpfRegistry registry() {
    return registry;
  }

  /** The per-slice UPF budget (UPF_MAX_PER_SLICE): its waiting UEs feed a metric. */
  public SliceBudget budget() {
    return budget;
  }

  public List<NamespaceController> namespaces() {
    return List.copyOf(namespaces);
  }

  /** Stops workers and informers; work in flight is either finished or redone by the next run. */
  @Override
  public synchronized void shutdown() {
    if (stopped) {
      return;
    }
    stopped = true;
    managers.forEach(Controller::shutdown);
    try {
      // DefaultController.shutdown() does not wait for its workers: let the reconciles under
      // way finish, so their writes and events come before a successor's.
      if (!inFlight.awaitIdle(Duration.ofSeconds(10))) {
        log.warn("Stopped with reconciles still running; the next run redoes their work");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      // Events still queued would be dropped: the UpfCreated of a UPF made just before a stop.
      eventDelivery.drainAndStop(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    parallelWrites.close();
    for (Thread t : threads) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    log.info("Stopped UPF controller");
  }
}
