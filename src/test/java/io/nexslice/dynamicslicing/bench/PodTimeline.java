package io.nexslice.dynamicslicing.bench;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetList;
import io.nexslice.dynamicslicing.Names;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * P7's watch (docs/BENCHMARKS.md): the pods, Deployments and ReplicaSets of one namespace, as a
 * user's {@code kubectl get -w} would see them, with the {@code System.nanoTime()} at which this
 * process's informers first saw each moment of a pod's start. Objects are kept by uid, since the
 * benchmark reuses names (ue.sh reuses the IMSIs of removed UEs), and linked through their
 * controller owner references: Deployment -> ReplicaSet -> Pod. List and watch only.
 */
final class PodTimeline implements AutoCloseable {
  /** Moments of a pod, each the first watch event that showed it. */
  enum Moment {
    /** The pod exists (its ADDED event). */
    CREATED,
    /** Bound to the node (spec.nodeName, with condition PodScheduled). */
    SCHEDULED,
    /** Phase Running: the kubelet started its containers. */
    RUNNING,
    /** Condition Ready True. */
    READY,
    /** The controller's mark on a UE pod: nexslice.io/upf-ready=true (its UPF has a replica available). */
    MARKED,
    /** Deleted (its DELETED event). */
    GONE
  }

  /** A Deployment or ReplicaSet as first seen: its uid, name, controller owner's uid (or null), when. */
  record Seen(String uid, String name, String ownerUid, long at) {}

  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);

  private final String namespace;
  private final SharedInformerFactory factory;
  private final SharedIndexInformer<V1Pod> podInformer;
  private final EventSignal signal = new EventSignal();
  private final Map<String, Map<Moment, Long>> podMoments = new ConcurrentHashMap<>();
  private final Map<String, String> podOwner = new ConcurrentHashMap<>();
  private final Map<String, Seen> deployments = new ConcurrentHashMap<>();
  private final Map<String, Long> deploymentsGone = new ConcurrentHashMap<>();
  private final Map<String, Seen> replicaSets = new ConcurrentHashMap<>();

  /** @param watchClient a client without read timeout, for long-running watches */
  PodTimeline(ApiClient watchClient, String namespace) {
    this.namespace = namespace;
    this.factory = new SharedInformerFactory(watchClient);
    CoreV1Api core = new CoreV1Api(watchClient);
    AppsV1Api apps = new AppsV1Api(watchClient);
    long noResync = 0;
    podInformer = factory.sharedIndexInformerFor(p -> core.listNamespacedPod(namespace).resourceVersion(p.resourceVersion)
        .watch(p.watch).timeoutSeconds(p.timeoutSeconds).buildCall(null), V1Pod.class, V1PodList.class, noResync);
    SharedIndexInformer<V1Deployment> deploymentInformer = factory.sharedIndexInformerFor(p -> apps
        .listNamespacedDeployment(namespace).resourceVersion(p.resourceVersion).watch(p.watch)
        .timeoutSeconds(p.timeoutSeconds).buildCall(null), V1Deployment.class, V1DeploymentList.class, noResync);
    SharedIndexInformer<V1ReplicaSet> replicaSetInformer = factory.sharedIndexInformerFor(p -> apps
        .listNamespacedReplicaSet(namespace).resourceVersion(p.resourceVersion).watch(p.watch)
        .timeoutSeconds(p.timeoutSeconds).buildCall(null), V1ReplicaSet.class, V1ReplicaSetList.class, noResync);
    podInformer.addEventHandler(handler(this::podSeen, this::podGone));
    deploymentInformer.addEventHandler(handler(d -> firstSeen(deployments, d),
        d -> deploymentsGone.putIfAbsent(d.getMetadata().getUid(), System.nanoTime())));
    replicaSetInformer.addEventHandler(handler(rs -> firstSeen(replicaSets, rs), rs -> { }));
    factory.startAllRegisteredInformers();
    Awaitility.await("the benchmark's informers to sync").atMost(SYNC_TIMEOUT)
        .until(() -> podInformer.hasSynced() && deploymentInformer.hasSynced() && replicaSetInformer.hasSynced());
  }

  /** A handler that records adds and updates with {@code seen}, deletes with {@code gone}, then signals waiters. */
  private <T extends KubernetesObject> ResourceEventHandler<T> handler(Consumer<T> seen, Consumer<T> gone) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        seen.accept(obj);
        signal.signal();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        onAdd(newObj);
      }

      @Override
      public void onDelete(T obj, boolean finalStateUnknown) {
        gone.accept(obj);
        signal.signal();
      }
    };
  }

  private void podSeen(V1Pod pod) {
    long now = System.nanoTime();
    String uid = pod.getMetadata().getUid();
    Map<Moment, Long> m = podMoments.computeIfAbsent(uid, k -> new EnumMap<>(Moment.class));
    synchronized (m) {
      m.putIfAbsent(Moment.CREATED, now);
      if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
        m.putIfAbsent(Moment.SCHEDULED, now);
      }
      if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
        m.putIfAbsent(Moment.RUNNING, now);
      }
      if (condition(pod, "Ready")) {
        m.putIfAbsent(Moment.READY, now);
      }
      Map<String, String> annotations = pod.getMetadata().getAnnotations();
      if (annotations != null && "true".equals(annotations.get(Names.ANNOTATION_UPF_READY))) {
        m.putIfAbsent(Moment.MARKED, now);
      }
    }
    String owner = controllerOwner(pod);
    if (owner != null) {
      podOwner.putIfAbsent(uid, owner);
    }
  }

  private void podGone(V1Pod pod) {
    long now = System.nanoTime();
    Map<Moment, Long> m = podMoments.computeIfAbsent(pod.getMetadata().getUid(), k -> new EnumMap<>(Moment.class));
    synchronized (m) {
      m.putIfAbsent(Moment.GONE, now);
    }
  }

  private static boolean condition(V1Pod pod, String type) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static void firstSeen(Map<String, Seen> seen, KubernetesObject o) {
    long now = System.nanoTime();
    seen.putIfAbsent(o.getMetadata().getUid(),
        new Seen(o.getMetadata().getUid(), o.getMetadata().getName(), controllerOwner(o), now));
  }

  private static String controllerOwner(KubernetesObject o) {
    if (o.getMetadata().getOwnerReferences() == null) {
      return null;
    }
    return o.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController()))
        .map(V1OwnerReference::getUid).findFirst().orElse(null);
  }

  /** The uid of the live (not deleting) pod named {@code name}, once this watch has it. */
  String livePodUid(String name, Duration timeout) throws InterruptedException {
    return signal.await("pod " + namespace + "/" + name + " to appear", () -> {
      V1Pod p = podInformer.getIndexer().getByKey(namespace + "/" + name);
      return p == null || p.getMetadata().getDeletionTimestamp() != null ? null : p.getMetadata().getUid();
    }, timeout);
  }

  /** When the pod {@code uid} was first seen at {@code moment} (nanoTime), waiting for it. */
  long podAt(String uid, Moment moment, Duration timeout) throws InterruptedException {
    return signal.await(moment + " of pod " + uid, () -> {
      Map<Moment, Long> m = podMoments.get(uid);
      if (m == null) {
        return null;
      }
      synchronized (m) {
        return m.get(moment);
      }
    }, timeout);
  }

  /** The Deployment named {@code name} whose controller owner is {@code ownerUid} (null: no owner), once seen. */
  Seen deployment(String name, String ownerUid, Duration timeout) throws InterruptedException {
    return signal.await("Deployment " + name + " owned by " + ownerUid, () -> deployments.values().stream()
        .filter(d -> d.name().equals(name) && Objects.equals(d.ownerUid(), ownerUid) && !deploymentsGone.containsKey(d.uid()))
        .findFirst().orElse(null), timeout);
  }

  /** True if a Deployment named {@code name} with controller owner {@code ownerUid} was ever seen. */
  boolean sawDeployment(String name, String ownerUid) {
    return deployments.values().stream().anyMatch(d -> d.name().equals(name) && Objects.equals(d.ownerUid(), ownerUid));
  }

  /** The Deployment {@code uid}, once seen. */
  Seen deployment(String uid, Duration timeout) throws InterruptedException {
    return signal.await("Deployment " + uid, () -> deployments.get(uid), timeout);
  }

  /** The ReplicaSet whose controller owner is the Deployment {@code deploymentUid}, once seen. */
  Seen replicaSetOf(String deploymentUid, Duration timeout) throws InterruptedException {
    return signal.await("the ReplicaSet of Deployment " + deploymentUid, () -> replicaSets.values().stream()
        .filter(rs -> deploymentUid.equals(rs.ownerUid())).findFirst().orElse(null), timeout);
  }

  /** The uid of a pod whose controller owner is the ReplicaSet {@code replicaSetUid}, once seen. */
  String podOf(String replicaSetUid, Duration timeout) throws InterruptedException {
    return signal.await("a pod of ReplicaSet " + replicaSetUid, () -> podOwner.entrySet().stream()
        .filter(e -> replicaSetUid.equals(e.getValue())).map(Map.Entry::getKey).findFirst().orElse(null), timeout);
  }

  /** Waits for the Deployment {@code uid}'s DELETED event. */
  void awaitDeploymentGone(String uid, Duration timeout) throws InterruptedException {
    signal.await("Deployment " + uid + " to go", () -> deploymentsGone.get(uid), timeout);
  }

  /** Waits until no pod of the namespace but those {@code keep} accepts is left (deleting ones count). */
  void awaitOnlyPods(Predicate<V1Pod> keep, String what, Duration timeout) throws InterruptedException {
    signal.await(what, () -> podInformer.getIndexer().list().stream().allMatch(keep) ? true : null, timeout);
  }

  @Override
  public void close() {
    factory.stopAllRegisteredInformers();
  }
}
