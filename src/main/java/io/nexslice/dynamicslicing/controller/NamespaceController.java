package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.extended.controller.Controller;
import io.kubernetes.client.extended.controller.ControllerWatch;
import io.kubernetes.client.extended.controller.builder.ControllerBuilder;
import io.kubernetes.client.extended.controller.reconciler.Reconciler;
import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.workqueue.DefaultRateLimitingQueue;
import io.kubernetes.client.extended.workqueue.RateLimitingQueue;
import io.kubernetes.client.extended.workqueue.WorkQueue;
import io.kubernetes.client.extended.workqueue.ratelimiter.BucketRateLimiter;
import io.kubernetes.client.extended.workqueue.ratelimiter.ItemExponentialFailureRateLimiter;
import io.kubernetes.client.extended.workqueue.ratelimiter.MaxOfRateLimiter;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.informer.cache.Lister;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapList;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.nexslice.dynamicslicing.cache.CacheDecoder;
import io.nexslice.dynamicslicing.cache.DecodingListerWatcher;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.model.Ownership;
import io.nexslice.dynamicslicing.pool.SliceBudget;
import io.nexslice.dynamicslicing.pool.UpfKey;
import io.nexslice.dynamicslicing.reconcile.ReconcileListener;
import io.nexslice.dynamicslicing.reconcile.UeCache;
import io.nexslice.dynamicslicing.write.WriteExpectations;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.function.Predicate;

/**
 * The informers, work queue and workers for one watched namespace (or for all of them), built
 * with client-java-extended: a SharedInformerFactory, a DefaultController and a ControllerManager.
 *
 * <p>One per namespace because a SharedInformerFactory holds one informer per type, and watching
 * namespace by namespace is what lets the controller run with a Role instead of a ClusterRole.
 */
public final class NamespaceController {
  /** Level-triggered safety net: every UE is looked at again this often even without events. */
  static final Duration RESYNC = Duration.ofMinutes(10);
  /** How long a deleted owned object waits before its UE is reconciled (see build()). */
  static final Duration DELETE_SETTLE = Duration.ofMillis(500);

  private final String namespace;
  private final SharedInformerFactory factory;
  private final SharedIndexInformer<V1Pod> podInformer;
  private final SharedIndexInformer<V1Deployment> deploymentInformer;
  private final SharedIndexInformer<V1Service> serviceInformer;
  private final SharedIndexInformer<V1ConfigMap> configMapInformer;
  private final RateLimitingQueue<Request> queue;

  /**
   * @param namespace the namespace, or null for every namespace
   * @param watchClient a client without read timeout, for long-running watches
   * @param decoder what the caches keep of each object, shared by the controller's informers
   */
  public NamespaceController(String namespace, ApiClient watchClient, ControllerConfig config, CacheDecoder decoder) {
    this.namespace = namespace;
    this.factory = new SharedInformerFactory(watchClient);
    CoreV1Api core = new CoreV1Api(watchClient);
    AppsV1Api apps = new AppsV1Api(watchClient);
    String selector = config.ueSelector().text();
    long noResync = 0;
    // Pods: only the selected ones, filtered by the API server. A pod that loses the label
    // leaves this cache (the server sends DELETED), which the reconciler reads as opt-out.
    this.podInformer = factory.sharedIndexInformerFor(new DecodingListerWatcher<>(watchClient, V1Pod.class,
        (rv, watch, timeout) -> namespace == null
            ? core.listPodForAllNamespaces().labelSelector(selector).resourceVersion(rv).watch(watch).timeoutSeconds(timeout).buildCall(null)
            : core.listNamespacedPod(namespace).labelSelector(selector).resourceVersion(rv).watch(watch).timeoutSeconds(timeout).buildCall(null),
        decoder, decoder::pod, (meta, items) -> new V1PodList().metadata(meta).items(items)), V1Pod.class, noResync);
    // Deployments and Services: all of the namespace, not only ours, so a foreign object
    // squatting a UPF name is seen in the cache and never overwritten.
    this.deploymentInformer = factory.sharedIndexInformerFor(new DecodingListerWatcher<>(watchClient, V1Deployment.class,
        (rv, watch, timeout) -> namespace == null
            ? apps.listDeploymentForAllNamespaces().resourceVersion(rv).watch(watch).timeoutSeconds(timeout).buildCall(null)
            : apps.listNamespacedDeployment(namespace).resourceVersion(rv).watch(watch).timeoutSeconds(timeout).buildCall(null),
        decoder, decoder::deployment, (meta, items) -> new V1DeploymentList().metadata(meta).items(items)), V1Deployment.class, noResync);
    this.serviceInformer = factory.sharedIndexInformerFor(new DecodingListerWatcher<>(watchClient, V1Service.class,
        (rv, watch, timeout) -> namespace == null
            ? core.listServiceForAllNamespaces().resourceVersion(rv).watch(watch).timeoutSeconds(timeout).buildCall(null)
            : core.listNamespacedService(namespace).resourceVersion(rv).watch(watch).timeoutSeconds(timeout).buildCall(null),
        decoder, decoder::service, (meta, items) -> new V1ServiceList().metadata(meta).items(items)), V1Service.class, noResync);
    // ConfigMaps: ours, squatters on our names, and the UEs' own ue.yaml.
    this.configMapInformer = factory.sharedIndexInformerFor(new DecodingListerWatcher<>(watchClient, V1ConfigMap.class,
        (rv, watch, timeout) -> namespace == null
            ? core.listConfigMapForAllNamespaces().resourceVersion(rv).watch(watch).timeoutSeconds(timeout).buildCall(null)
            : core.listNamespacedConfigMap(namespace).resourceVersion(rv).watch(watch).timeoutSeconds(timeout).buildCall(null),
        decoder, decoder::configMap, (meta, items) -> new V1ConfigMapList().metadata(meta).items(items)), V1ConfigMap.class, noResync);
    // What the caches keep of each object is what CacheDecoder reads: only what the controller uses.
    // Indexes are updated with the cache itself, so they are complete when the caches are synced.
    podInformer.addIndexers(Map.of(Indexes.BY_CONFIGMAP, Indexes::mountedConfigMaps));
    deploymentInformer.addIndexers(Map.of(Indexes.BY_POOL_BLOCK, Indexes.poolBlocks(config.pool())::apply,
        Indexes.BY_OWNER_POD, Indexes::ownerPods, Indexes.BY_SLICE, Indexes::perUeSlice));
    this.queue = new DefaultRateLimitingQueue<>(Executors.newSingleThreadExecutor(daemon("queue-" + label())),
        new MaxOfRateLimiter<>(
            new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(20), Duration.ofSeconds(60)),
            new BucketRateLimiter<>(100, 50, Duration.ofSeconds(1))));
  }

  public Lister<V1Pod> pods() {
    return new Lister<>(podInformer.getIndexer());
  }

  public Lister<V1Deployment> deployments() {
    return new Lister<>(deploymentInformer.getIndexer());
  }

  public Lister<V1Service> services() {
    return new Lister<>(serviceInformer.getIndexer());
  }

  public Lister<V1ConfigMap> configMaps() {
    return new Lister<>(configMapInformer.getIndexer());
  }

  /** The reconcilers' view of this namespace's caches. */
  public UeCache cache() {
    return new UeCache(pods(), deployments(), services(), configMaps(),
        podKey -> deploymentInformer.getIndexer().byIndex(Indexes.BY_OWNER_POD, podKey));
  }

  /**
   * namespace/name of the Deployments an informer index files under {@code key}: the UPFs holding
   * a slice's budget slot (Indexes.BY_SLICE).
   */
  Set<String> upfsIndexed(String index, String key) {
    Set<String> out = new HashSet<>();
    for (V1Deployment d : deploymentInformer.getIndexer().byIndex(index, key)) {
      out.add(new UpfKey(d.getMetadata().getNamespace(), d.getMetadata().getName()).cacheKey());
    }
    return out;
  }

  /** namespace/name -> recorded UE pool of the UPFs whose pool overlaps {@code block} (Indexes.BY_POOL_BLOCK). */
  Map<String, String> poolsOverlapping(String block) {
    Map<String, String> out = new HashMap<>();
    for (V1Deployment d : deploymentInformer.getIndexer().byIndex(Indexes.BY_POOL_BLOCK, block)) {
      Indexes.recordedPool(d).ifPresent(pool ->
          out.put(new UpfKey(d.getMetadata().getNamespace(), d.getMetadata().getName()).cacheKey(), pool));
    }
    return out;
  }

  /** True when our UPF Deployment {@code namespace/name} is in this cache. */
  public boolean ownsUpf(String namespace, String name) {
    if (this.namespace != null && !this.namespace.equals(namespace)) {
      return false;
    }
    V1Deployment d = deploymentInformer.getIndexer().getByKey(namespace + "/" + name);
    return d != null && Ownership.isLabelledOurs(d);
  }

  /** Adds a handler of the UE pods' events, beside the work queue's (for observers such as ReadyObservations). */
  public void addPodHandler(ResourceEventHandler<V1Pod> handler) {
    podInformer.addEventHandler(handler);
  }

  /** Starts this namespace's informers (idempotent): every replica keeps its caches warm. */
  void startInformers() {
    factory.startAllRegisteredInformers();
  }

  public boolean hasSynced() {
    return podInformer.hasSynced() && deploymentInformer.hasSynced() && serviceInformer.hasSynced()
        && configMapInformer.hasSynced();
  }

  public int queueDepth() {
    return queue.length();
  }

  public String label() {
    return namespace == null ? "all-namespaces" : namespace;
  }

  /** Tells {@code expectations} when objects are deleted, so no write of theirs is still expected. */
  void observeWrites(WriteExpectations expectations) {
    deploymentInformer.addEventHandler(new OnDelete<>(o -> expectations.forget("Deployment", ns(o), name(o))));
    serviceInformer.addEventHandler(new OnDelete<>(o -> expectations.forget("Service", ns(o), name(o))));
    configMapInformer.addEventHandler(new OnDelete<>(o -> expectations.forget("ConfigMap", ns(o), name(o))));
  }

  /**
   * Builds the controller; events on owned objects map back to their UE through {@code keys},
   * except the echoes of our own writes that no reconcile waits for (see WriteExpectations).
   */
  Controller build(Reconciler reconciler, OwnerKeys keys,
      WriteExpectations expectations, int workers,
      SliceBudget budget, ReconcileListener listener) {
    Controller controller = ControllerBuilder.defaultBuilder(factory)
        // The queue must be set before watch(...), or events never reach the reconciler.
        .withWorkQueue(queue)
        .watch(q -> ControllerBuilder.controllerWatchBuilder(V1Pod.class, q)
            .withWorkQueueKeyFunc(p -> new Request(p.getMetadata().getNamespace(), p.getMetadata().getName()))
            .withResyncPeriod(RESYNC)
            .build())
        .watch(q -> ownedWatch(V1Deployment.class, "Deployment", q, keys, expectations))
        .watch(q -> ownedWatch(V1Service.class, "Service", q, keys, expectations))
        .watch(q -> ownedWatch(V1ConfigMap.class, "ConfigMap", q, keys, expectations))
        .withReconciler(reconciler)
        .withName("upf-" + label())
        .withWorkerCount(workers)
        // No ready function: SyncedController waits for the caches first (see there why), and
        // with none DefaultController skips its own Wait.poll, which would leave a thread behind.
        .build();
    // Deletes of owned objects are looked at a moment later. When a UE pod is deleted, the
    // garbage collector may remove its UPF before our pod cache hears of the deletion; acting
    // at once would re-create the UPF for a pod that is already gone.
    deploymentInformer.addEventHandler(new OnDelete<>(o -> requeueLater(keys.keyOf(o))));
    serviceInformer.addEventHandler(new OnDelete<>(o -> requeueLater(keys.keyOf(o))));
    configMapInformer.addEventHandler(new OnDelete<>(o -> requeueLater(keys.keyOf(o))));
    // A per-UE UPF left: its slot in the slice's budget is free, the UEs waiting for one look again.
    if (budget.isLimited()) {
      deploymentInformer.addEventHandler(new OnDelete<>(d -> Indexes.perUeSlice(d).forEach(slice ->
          budget.waitersOf(slice).forEach(ue -> queue.add(new Request(ue.namespace(), ue.name()))))));
    }
    // A UE's own ue.yaml changed: the pods that mount it may be in another slice now.
    configMapInformer.addEventHandler(new UeConfigHandler(queue, podInformer.getIndexer()));
    return new SyncedController("upf-" + label(), factory, this::hasSynced,
        () -> listener.startingWith(label(), podInformer.getIndexer().listKeys()), controller);
  }

  /** The UE of a deleted owned object, reconciled after DELETE_SETTLE (see build()). */
  private void requeueLater(Request ue) {
    if (ue != null) {
      queue.addAfter(ue, DELETE_SETTLE);
    }
  }

  private static String ns(KubernetesObject o) {
    return o.getMetadata().getNamespace();
  }

  private static String name(KubernetesObject o) {
    return o.getMetadata().getName();
  }

  /** Add and update events of an owned kind, mapped to the UE; deletes go through requeueLater. */
  private static <T extends KubernetesObject> ControllerWatch<T>
      ownedWatch(Class<T> type, String kind, WorkQueue<Request> q, OwnerKeys keys,
          WriteExpectations expectations) {
    Predicate<T> wakes = o -> keys.keyOf(o) != null
        && !expectations.dropEcho(kind, ns(o), name(o), o.getMetadata().getResourceVersion());
    return ControllerBuilder.controllerWatchBuilder(type, q)
        .withWorkQueueKeyFunc(keys::keyOf)
        .withOnAddFilter(wakes)
        // An update that changes nothing a reconcile reads is dropped before it can count as
        // news held back during a write of ours (WriteExpectations): kube-controller-manager's
        // status write right after our create would otherwise make every attach look again.
        .withOnUpdateFilter((o, n) -> (!(n instanceof V1Deployment d)
            || DeploymentChange.mattersToReconciles((V1Deployment) o, d)) && wakes.test(n))
        .withOnDeleteFilter((o, unknown) -> false)
        .build();
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  static List<String> namespacesOf(ControllerConfig config) {
    return config.watchesAllNamespaces() ? Collections.singletonList(null) : config.watchNamespaces();
  }
}
