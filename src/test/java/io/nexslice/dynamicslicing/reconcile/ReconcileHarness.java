package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.informer.cache.Cache;
import io.kubernetes.client.informer.cache.Lister;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1Service;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.config.UpfMode;
import io.nexslice.dynamicslicing.controller.InformerIndexes;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UpfNames;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.pool.PoolAllocator;
import io.nexslice.dynamicslicing.pool.SliceBudget;
import io.nexslice.dynamicslicing.pool.UeSubnets;
import io.nexslice.dynamicslicing.pool.UpfKey;
import io.nexslice.dynamicslicing.profile.Profiles;
import io.nexslice.dynamicslicing.profile.UpfProfile;
import io.nexslice.dynamicslicing.slice.Slice;
import io.nexslice.dynamicslicing.slice.SliceGroup;
import io.nexslice.dynamicslicing.slice.SliceResolver;
import io.nexslice.dynamicslicing.smf.UpfRegistry;
import io.nexslice.dynamicslicing.write.ParallelWrites;
import io.nexslice.dynamicslicing.write.UeMarks;
import io.nexslice.dynamicslicing.write.WriteExpectations;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A reconciler wired as UpfController wires it, for one namespace, without an API server: the
 * informer caches are in-memory client-java Caches with the production indexes, the writer and
 * the event recorder are recording fakes, and everything pure (profile, desired state, pool,
 * budget, slice resolver, write expectations, UE marks) is the real thing. In the spirit of
 * kubernetes/sample-controller's controller_test.go: fill the caches, run one reconcile, look at
 * what was written and which events were recorded.
 */
final class ReconcileHarness {
  static final String NS = "ns";
  static final String UE = "ue1";
  /** The UE pod the tests reconcile, and an earlier pod of the same name. */
  static final String NEW_UID = "uid-new";
  static final String OLD_UID = "uid-old";
  static final String SELECTOR_KEY = "nexslice.io/dynamic-upf";
  static final OffsetDateTime T0 = OffsetDateTime.of(2025, 1, 1, 12, 0, 0, 0, ZoneOffset.UTC);

  /** What a UE pod is like in the cache. */
  enum PodState {
    /** Selected and Ready. */
    READY,
    /** Selected, created, not Ready (yet, or any more). */
    NOT_READY,
    /** Ready, but its owner removed the selector label. */
    UNLABELLED,
    /** Ready and being deleted (deletionTimestamp set). */
    TERMINATING,
    /** Its containers ended: phase Failed. */
    FAILED
  }

  final ControllerConfig config;
  final Cache<V1Pod> pods = new Cache<>();
  final Cache<V1Deployment> deployments = new Cache<>();
  final Cache<V1Service> services = new Cache<>();
  final Cache<V1ConfigMap> configMaps = new Cache<>();
  final RecordingUpfWriter writer = new RecordingUpfWriter(this::podUid);
  final RecordingEvents events = new RecordingEvents();
  final WriteExpectations expectations = new WriteExpectations();
  final NameClaims claims = new NameClaims();
  final UpfDesiredState desiredState;
  final PoolAllocator pool;
  final SliceBudget budget;
  final UeSubnets subnets;
  /** "namespace/name outcome" of each reconcile, as GuardedReconciler reports it. */
  final List<String> outcomes = new ArrayList<>();
  final GuardedReconciler reconciler;
  private int delivered;
  private int podsAdded;

  /** @param env the controller's environment (ControllerConfig); WATCH_NAMESPACES is set to {@link #NS} */
  ReconcileHarness(Map<String, String> env) {
    this(env, UpfRegistry.NONE);
  }

  ReconcileHarness(Map<String, String> env, UpfRegistry registry) {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("WATCH_NAMESPACES", NS);
    this.config = ControllerConfig.fromEnvironment(all);
    pods.addIndexers(InformerIndexes.pods());
    deployments.addIndexers(InformerIndexes.deployments(config.pool()));

    // As UpfController's constructor, with the writer and the recorder faked.
    UpfProfile profile = Profiles.fromConfig(config);
    this.desiredState = new UpfDesiredState(profile, config.upfImage(), config.upfReplicas(), config.nrfHosts()::forSst);
    ApplyJson applyJson = new ApplyJson(new JSON());
    // A UPF's writes one after the other, in order, on the reconciling thread, so the tables can
    // compare call lists; ParallelWritesTest and SlotWriterTest cover the writes made at once.
    SlotWriter slotWriter = new SlotWriter(applyJson, writer, expectations, new ParallelWrites(Runnable::run));
    UeMarks marks = new UeMarks(writer, expectations);
    SliceResolver slices = new SliceResolver(config.defaultSlice());
    this.pool = new PoolAllocator(config.pool(), this::poolsOverlapping);
    this.subnets = profile.smfAssignsAddresses()
        ? UeSubnets.fromSmf(config.sliceUeSubnets()::forDnn)
        : UeSubnets.fromPool(pool);
    this.budget = new SliceBudget(config.mode() == UpfMode.PER_UE ? config.maxUpfsPerSlice() : 0,
        upfsIndexed(InformerIndexes.BY_SLICE));
    UeCache cache = new UeCache(new Lister<>(pods), new Lister<>(deployments), new Lister<>(services),
        new Lister<>(configMaps), podKey -> deployments.byIndex(InformerIndexes.BY_OWNER_POD, podKey));
    ReconcileListener listener = new ReconcileListener() {
      @Override
      public void reconciled(Request ue, String outcome) {
        outcomes.add(ue.getNamespace() + "/" + ue.getName() + " " + outcome);
      }
    };
    ReconcileContext context = new ReconcileContext(cache, claims, slices, subnets, desiredState, slotWriter, marks,
        events, registry, listener);
    this.reconciler = config.mode() == UpfMode.PER_SLICE
        ? new SliceUpfReconciler(context, config)
        : new UpfReconciler(context, config.ueSelector(), budget);
  }

  /** As NamespaceController.upfsIndexed: namespace/name of the Deployments {@code index} files under a key. */
  private Function<String, Set<String>> upfsIndexed(String index) {
    return key -> deployments.byIndex(index, key).stream()
        .map(d -> new UpfKey(d.getMetadata().getNamespace(), d.getMetadata().getName()).cacheKey())
        .collect(Collectors.toSet());
  }

  /** As NamespaceController.poolsOverlapping: namespace/name -> recorded pool of the UPFs whose pool overlaps a block. */
  private Map<String, String> poolsOverlapping(String block) {
    Map<String, String> out = new HashMap<>();
    for (V1Deployment d : deployments.byIndex(InformerIndexes.BY_POOL_BLOCK, block)) {
      InformerIndexes.recordedPool(d).ifPresent(p ->
          out.put(new UpfKey(d.getMetadata().getNamespace(), d.getMetadata().getName()).cacheKey(), p));
    }
    return out;
  }

  Result reconcile(String podName) {
    return reconcile(new Request(NS, podName));
  }

  Result reconcile(Request request) {
    return reconciler.reconcile(request);
  }

  // ---- the cluster's state, as the caches hold it ----

  private String podUid(String namespace, String name) {
    V1Pod p = pods.getByKey(namespace + "/" + name);
    return p == null ? null : p.getMetadata().getUid();
  }

  /**
   * A UE pod in the cache. {@code markedFor}: the UPF its mark names (both annotations), or null
   * for an unmarked pod. Pods added later became Ready later.
   */
  V1Pod addPod(String name, String uid, PodState state, String markedFor) {
    V1Pod pod = pod(name, uid, state, markedFor, podsAdded++);
    pods.add(pod);
    return pod;
  }

  static V1Pod pod(String name, String uid, PodState state, String markedFor, int order) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app", "ueransim-ue");
    if (state != PodState.UNLABELLED) {
      labels.put(SELECTOR_KEY, "true");
    }
    Map<String, String> annotations = new HashMap<>();
    if (markedFor != null) {
      annotations.put(Names.ANNOTATION_UPF, markedFor);
      annotations.put(Names.ANNOTATION_UPF_READY, "true");
    }
    V1ObjectMeta meta = new V1ObjectMeta().namespace(NS).name(name).uid(uid).resourceVersion("10")
        .creationTimestamp(T0.plusSeconds(order)).labels(labels).annotations(annotations);
    if (state == PodState.TERMINATING) {
      meta.deletionTimestamp(T0.plusHours(1));
    }
    boolean ready = state != PodState.NOT_READY;
    V1PodStatus status = new V1PodStatus().phase(state == PodState.FAILED ? "Failed" : "Running")
        .addConditionsItem(new V1PodCondition().type("Ready").status(ready ? "True" : "False")
            .lastTransitionTime(T0.plusSeconds(10 + order)));
    return new V1Pod().metadata(meta).status(status);
  }

  /** The subnet a UPF of {@code dnn} gets first: the SMF's (OAI) or the pool's first block. */
  String firstSubnet(String dnn) {
    return desiredState.profile().smfAssignsAddresses() ? config.sliceUeSubnets().forDnn(dnn).orElseThrow()
        : config.pool().block(0);
  }

  Slice defaultSlice() {
    return config.defaultSlice();
  }

  /**
   * The per-UE UPF we made for the pod {@code podName}/{@code podUid}, as the cache would hold it:
   * what the controller applies today, with server-set uids ({@code uidTag}-Kind), a
   * resourceVersion, and one available replica.
   */
  List<KubernetesObject> addPerUeUpf(String podName, String podUid, String uidTag, String block) {
    UpfObjects upf = desiredState.build(new UeRef(NS, podName, podUid), defaultSlice(), block);
    return addAsServed(upf, uidTag);
  }

  /** The shared UPF of the default slice, listing {@code members}, as the cache would hold it. */
  List<KubernetesObject> addSharedUpf(List<UeRef> members, String uidTag, String block) {
    UpfObjects upf = desiredState.buildShared(new SliceGroup(NS, defaultSlice()), members, block,
        config.replicasFor(members.size()));
    return addAsServed(upf, uidTag);
  }

  private List<KubernetesObject> addAsServed(UpfObjects upf, String uidTag) {
    upf.deployment().status(new V1DeploymentStatus().replicas(1).readyReplicas(1).availableReplicas(1));
    for (KubernetesObject o : upf.all()) {
      o.getMetadata().uid(uidTag + "-" + o.getKind()).resourceVersion("5");
      add(o);
    }
    return upf.all();
  }

  /** An object of {@code kind} named {@code name} that someone else made: no label, no owner of ours. */
  KubernetesObject addSquatter(String kind, String name) {
    V1ObjectMeta meta = new V1ObjectMeta().namespace(NS).name(name).uid("squatter-" + kind).resourceVersion("7")
        .labels(Map.of("app.kubernetes.io/managed-by", "someone-else"));
    KubernetesObject o = switch (kind) {
      case "Deployment" -> new V1Deployment().metadata(meta);
      case "Service" -> new V1Service().metadata(meta);
      case "ConfigMap" -> new V1ConfigMap().metadata(meta).data(Map.of("theirs", "yes"));
      default -> throw new IllegalArgumentException(kind);
    };
    add(o);
    return o;
  }

  void add(KubernetesObject o) {
    if (o instanceof V1Pod p) {
      pods.update(p);
    } else if (o instanceof V1Deployment d) {
      deployments.update(d);
    } else if (o instanceof V1Service s) {
      services.update(s);
    } else if (o instanceof V1ConfigMap c) {
      configMaps.update(c);
    } else {
      throw new IllegalArgumentException(o.getClass().getName());
    }
  }

  KubernetesObject cached(String kind, String name) {
    String key = NS + "/" + name;
    return switch (kind) {
      case "Pod" -> pods.getByKey(key);
      case "Deployment" -> deployments.getByKey(key);
      case "Service" -> services.getByKey(key);
      case "ConfigMap" -> configMaps.getByKey(key);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  void remove(String kind, String name) {
    KubernetesObject o = cached(kind, name);
    if (o instanceof V1Pod p) {
      pods.delete(p);
    } else if (o instanceof V1Deployment d) {
      deployments.delete(d);
    } else if (o instanceof V1Service s) {
      services.delete(s);
    } else if (o instanceof V1ConfigMap c) {
      configMaps.delete(c);
    }
  }

  /**
   * Plays the writes recorded since the last call into the caches, as the API server and the
   * informers would: applied objects appear with the returned resourceVersion (a Deployment keeps
   * its status), deletes whose uid precondition holds remove, marks change the pod.
   */
  void deliver() {
    List<RecordingUpfWriter.Call> calls = writer.calls();
    for (RecordingUpfWriter.Call call : calls.subList(delivered, calls.size())) {
      if (call instanceof RecordingUpfWriter.Apply a) {
        KubernetesObject o = a.object();
        KubernetesObject existing = cached(o.getKind(), o.getMetadata().getName());
        o.getMetadata().uid(existing != null ? existing.getMetadata().getUid() : "uid-" + o.getKind())
            .resourceVersion(a.resourceVersion());
        if (o instanceof V1Deployment d && existing instanceof V1Deployment e) {
          d.status(e.getStatus());
        }
        add(o);
      } else if (call instanceof RecordingUpfWriter.Delete d) {
        KubernetesObject existing = cached(d.kind(), d.name());
        if (existing != null && existing.getMetadata().getUid().equals(d.uid())) {
          remove(d.kind(), d.name());
        }
      } else if (call instanceof RecordingUpfWriter.Mark m) {
        if (m.resourceVersion() != null) {
          V1Pod p = pods.getByKey(m.namespace() + "/" + m.name());
          Map<String, String> ann = new HashMap<>(p.getMetadata().getAnnotations());
          ann.putAll(m.annotations());
          p.getMetadata().annotations(ann).resourceVersion(m.resourceVersion());
          pods.update(p);
        }
      } else if (call instanceof RecordingUpfWriter.Unmark u) {
        if (u.resourceVersion() != null) {
          V1Pod p = pods.getByKey(u.namespace() + "/" + u.name());
          Map<String, String> ann = new HashMap<>(p.getMetadata().getAnnotations());
          ann.keySet().removeAll(u.keys());
          p.getMetadata().annotations(ann).resourceVersion(u.resourceVersion());
          pods.update(p);
        }
      }
    }
    delivered = calls.size();
  }

  /** The Deployment {@code name} reports an available replica (the kubelet and the deployment controller did their part). */
  void makeAvailable(String name) {
    V1Deployment d = deployments.getByKey(NS + "/" + name);
    d.status(new V1DeploymentStatus().replicas(1).readyReplicas(1).availableReplicas(1));
    d.getMetadata().resourceVersion(Long.toString(Long.parseLong(d.getMetadata().getResourceVersion()) + 1));
  }

  static String upfOf(String podName) {
    return UpfNames.forPod(podName);
  }

  String sharedUpf() {
    return UpfNames.forSlice(defaultSlice());
  }
}
