package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.extended.event.EventType;
import io.kubernetes.client.extended.event.legacy.EventRecorder;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.model.Ownership.Owner;
import io.nexslice.dynamicslicing.model.Ownership;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UeState;
import io.nexslice.dynamicslicing.model.UpfMark;
import io.nexslice.dynamicslicing.model.UpfNames;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.pool.UeKey;
import io.nexslice.dynamicslicing.pool.UeSubnets;
import io.nexslice.dynamicslicing.pool.UpfKey;
import io.nexslice.dynamicslicing.slice.SliceGroup;
import io.nexslice.dynamicslicing.slice.SliceResolver;
import io.nexslice.dynamicslicing.smf.SmfNode;
import io.nexslice.dynamicslicing.smf.UpfRegistry;
import io.nexslice.dynamicslicing.write.UeMarks;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-slice mode: one UPF per (namespace, S-NSSAI, DNN), alive while any UE of that group is
 * attached. Keys are of two forms. A group key reconciles the group. A UE key finds the groups
 * the UE concerns (the one it resolves to now, and any whose UPF lists it), reconciles them, and
 * removes the UE's own per-UE UPF (left from per-ue mode) once its shared UPF exists.
 *
 * <p>Group members are computed from the pod cache, never remembered: a pod belongs to a group
 * when it is selected, not terminating, resolves to the group's slice, and is Ready or already
 * listed as an owner of the group's UPF (so readiness flaps keep it). A lock per group means
 * several workers never write the same shared UPF at once.
 */
public final class SliceUpfReconciler extends GuardedReconciler {
  private static final Logger log = LoggerFactory.getLogger(SliceUpfReconciler.class);
  static final Duration SWITCH_RECHECK = Duration.ofSeconds(1);

  private final UeCache cache;
  private final ControllerConfig config;
  private final SliceResolver slices;
  private final UeSubnets subnets;
  private final UpfDesiredState desiredState;
  private final SlotWriter slotWriter;
  private final EventRecorder events;
  private final UeWarnings warnings;
  private final NameClaims claims;
  private final UeMarks marks;
  private final UpfRegistry registry;
  private final ReconcileListener listener;
  private final Map<String, ReentrantLock> groupLocks = new ConcurrentHashMap<>();

  public SliceUpfReconciler(ReconcileContext context, ControllerConfig config) {
    super(context.listener());
    this.cache = context.cache();
    this.config = config;
    this.slices = context.slices();
    this.subnets = context.subnets();
    this.desiredState = context.desiredState();
    this.slotWriter = context.slotWriter();
    this.events = context.events();
    this.warnings = new UeWarnings(events);
    this.claims = context.claims();
    this.marks = context.marks();
    this.registry = context.registry();
    this.listener = context.listener();
  }

  @Override
  Result sync(Request request) throws ApiException {
    if (SliceGroup.isGroupKey(request.getName())) {
      return syncGroup(SliceGroup.parse(request.getNamespace(), request.getName()));
    }
    return syncUe(request);
  }

  /** A UE changed: reconcile every group it concerns, then its per-UE leftovers. */
  private Result syncUe(Request request) throws ApiException {
    String ns = request.getNamespace();
    V1Pod pod = cache.pods().namespace(ns).get(request.getName());
    Set<SliceGroup> groups = new LinkedHashSet<>();
    Optional<SliceGroup> current = Optional.empty();
    UeKey ueKey = new UeKey(ns, request.getName());
    if (pod != null && isCandidate(pod)) {
      UeRef ue = UeRef.of(pod);
      warnings.ignoredAnnotations(ue, pod);
      if (StaticAddress.requested(pod)) {
        warnings.addressIgnored(ue, "a per-slice UPF is shared, so no UE's address binds it (UPF_MODE=per-ue does)");
      }
      SliceResolver.Resolution r = slices.resolve(pod, cache::configMap);
      if (r instanceof SliceResolver.Resolved resolved) {
        current = Optional.of(new SliceGroup(ns, resolved.slice()));
        groups.add(current.get());
      } else if (r instanceof SliceResolver.Invalid invalid) {
        marks.converge(pod, Optional.empty());
        if (UeState.isReady(pod)) {
          warnings.sliceInvalid(ue, invalid.reason(), "Not in any slice UPF until fixed");
          listener.waiting(ueKey, Names.REASON_SLICE_INVALID);
        }
      } else if (UeState.isReady(pod)) {
        listener.waiting(ueKey, Names.WAIT_CONFIG_PENDING); // its ConfigMap's arrival wakes it
      }
    } else if (pod != null) {
      marks.converge(pod, Optional.empty()); // terminating: the UE releases its sessions on seeing this
      listener.notWaiting(ueKey);
    } else {
      listener.notWaiting(ueKey); // gone or opted out
    }
    for (V1Deployment d : cache.ownedBy(ns, request.getName())) {
      String key = Ownership.sharedGroup(d);
      if (key != null) {
        groups.add(SliceGroup.parse(ns, key));
      }
    }
    Result result = new Result(false);
    for (SliceGroup g : groups) {
      Result r = syncGroup(g);
      if (r.isRequeue()) {
        result = r;
      }
    }
    return removePerUeLeftovers(request, pod, current).orElse(result);
  }

  /**
   * Mode switch per-ue to per-slice: the UE's dedicated UPF goes once the shared one it moves to
   * is in the cache (or at once when the UE is no longer attached to anything).
   */
  private Optional<Result> removePerUeLeftovers(Request request, V1Pod pod, Optional<SliceGroup> group)
      throws ApiException {
    String podUid = pod == null ? null : pod.getMetadata().getUid();
    String ownName = UpfNames.forPod(request.getName());
    List<Slot> own = Slot.of(cache, request.getNamespace(), ownName,
        (kind, o) -> Ownership.classify(o, request.getName(), podUid));
    if (own.stream().noneMatch(s -> s.owner() == Owner.THIS_UE || s.owner() == Owner.PREVIOUS_UE)) {
      return Optional.empty();
    }
    boolean replaced = group.map(g -> cache.deployments().namespace(g.namespace())
        .get(UpfNames.forSlice(g.slice())) != null).orElse(true);
    if (!replaced) {
      return Optional.of(new Result(true, SWITCH_RECHECK));
    }
    SlotWriter.Removed removed = slotWriter.remove(request.getNamespace(), ownName, own,
        s -> s.owner() == Owner.THIS_UE || s.owner() == Owner.PREVIOUS_UE);
    subnets.release(new UpfKey(request.getNamespace(), ownName));
    log.info("Removed per-UE UPF {} ({}) ue={}/{}: served by its slice UPF now", ownName,
        removed.kinds(), request.getNamespace(), request.getName());
    if (registry.deregister(request.getNamespace(), ownName) instanceof UpfRegistry.Refused r) {
      throw new RetryLater("per-UE UPF " + ownName + " still in the SMF: " + r.answer());
    }
    return removed.recheck() ? Optional.of(removed.result()) : Optional.empty();
  }

  private Result syncGroup(SliceGroup group) throws ApiException {
    ReentrantLock lock = groupLocks.computeIfAbsent(group.key(), k -> new ReentrantLock());
    lock.lock();
    try {
      return syncGroupLocked(group);
    } finally {
      lock.unlock();
    }
  }

  private Result syncGroupLocked(SliceGroup group) throws ApiException {
    long began = System.nanoTime();
    String ns = group.namespace();
    String upfName = UpfNames.forSlice(group.slice());
    List<Slot> slots = Slot.of(cache, ns, upfName, (kind, o) -> Ownership.classifyShared(o, group.key()));
    Slot deploymentSlot = Slot.ofKind(slots, "Deployment");
    Map<String, V1OwnerReference> listed = new LinkedHashMap<>(); // uid -> owner ref, as the UPF has it now
    if (deploymentSlot.owner() == Owner.THIS_UE && deploymentSlot.existing().getMetadata().getOwnerReferences() != null) {
      deploymentSlot.existing().getMetadata().getOwnerReferences().forEach(r -> listed.put(r.getUid(), r));
    }
    List<UeRef> members = members(group, listed.keySet());
    Request groupKey = group.request();

    if (members.isEmpty()) {
      claims.release(groupKey);
      SlotWriter.Removed removed = slotWriter.remove(ns, upfName, slots, s -> s.owner() == Owner.THIS_UE);
      List<String> deleted = removed.kinds();
      subnets.release(new UpfKey(ns, upfName));
      for (V1OwnerReference r : listed.values()) {
        unmarkLeaver(ns, r);
      }
      if (!deleted.isEmpty()) {
        listed.values().forEach(r -> events.event(ref(ns, r).objectReference(), EventType.Normal,
            Names.REASON_UPF_REMOVED, "Removed slice UPF %s (%s): its last UE left", upfName, String.join(", ", deleted)));
        log.info("Removed slice UPF {} ({}) for {}: no UE attached", upfName, deleted, group.slice());
        listener.upfRemoved(groupKey);
      }
      if (registry.deregister(ns, upfName) instanceof UpfRegistry.Refused r) {
        listed.values().stream().limit(10).forEach(o -> warnings.notDeregistered(ref(ns, o), upfName, registry.target(), r.answer()));
        throw new RetryLater("slice UPF " + upfName + " still in the SMF: " + r.answer());
      }
      return removed.result();
    }

    UpfKey owner = new UpfKey(ns, upfName);
    UeSubnets.Assignment subnet = subnets.assign(owner, group.slice().dnn(), SlotWriter.currentBlock(slots), Optional.empty());
    if (subnet instanceof UeSubnets.Exhausted exhausted) {
      members.stream().filter(m -> !listed.containsKey(m.uid())).forEach(m -> {
        warnings.poolExhausted(m, exhausted.pool());
        listener.waiting(key(m), Names.REASON_POOL_EXHAUSTED);
      });
      return new Result(true, UpfReconciler.POOL_RECHECK);
    }
    if (subnet instanceof UeSubnets.AddressInvalid) {
      throw new IllegalStateException("a shared UPF claims no static address");
    }
    if (subnet instanceof UeSubnets.NoSmfSubnet none) {
      for (UeRef m : members) {
        markMember(m, Optional.empty());
        if (!listed.containsKey(m.uid())) {
          warnings.noSmfSubnet(m, none.dnn());
        }
        listener.waiting(key(m), Names.REASON_SUBNET_UNKNOWN);
      }
      return new Result(false);
    }
    UeSubnets.Assigned assigned = (UeSubnets.Assigned) subnet;
    String block = assigned.subnet();
    UpfObjects desired = desiredState.buildShared(group, members, block, config.replicasFor(members.size()));
    List<Slot> foreign = SlotWriter.foreign(slots, desired);
    if (!foreign.isEmpty()) {
      subnets.release(owner);
      for (UeRef m : members) {
        markMember(m, Optional.empty());
        listener.waiting(key(m), Names.REASON_NAME_TAKEN);
      }
      for (Slot s : foreign) {
        claims.claim(ns, s.name(), groupKey);
        members.stream().limit(10).forEach(m -> warnings.nameTaken(m, s.kind(), s.name()));
      }
      return new Result(false);
    }
    claims.release(groupKey);

    boolean fresh = slots.stream().allMatch(s -> s.owner() == Owner.ABSENT);
    SlotWriter.Applied applied = slotWriter.applyChanged(desired, slots);
    List<String> written = applied.written();
    if (fresh && !written.isEmpty()) {
      log.info("Created slice UPF {} for {} in {}, UE pool {}", upfName, group.slice(), ns, block);
    } else if (!written.isEmpty()) {
      log.info("Updated slice UPF {} ({}): {} UEs", upfName, String.join(", ", written), members.size());
      assigned.replaced().ifPresent(old -> members.stream().limit(10).forEach(m -> warnings.poolMoved(m, upfName, block, old)));
    }
    // Every member carries the mark once the shared UPF has a replica available.
    Optional<UpfMark> mark = SlotWriter.markFor(upfName, slots);
    if (mark.isPresent()) {
      UpfRegistry.Outcome registered = registry.register(SmfNode.of(ns, upfName, group.slice(), block, false));
      if (registered instanceof UpfRegistry.Refused refused) {
        members.stream().limit(10).forEach(m -> warnings.notRegistered(m, upfName, registry.target(), refused.answer()));
        mark = Optional.empty(); // members stay (joined events and all), unmarked until the SMF holds it
      }
    }
    Set<String> memberUids = new LinkedHashSet<>();
    boolean refusedBySmf = SlotWriter.markFor(upfName, slots).isPresent() && mark.isEmpty();
    for (UeRef m : members) {
      markMember(m, mark);
      memberUids.add(m.uid());
      if (refusedBySmf) {
        listener.waiting(key(m), Names.REASON_NOT_REGISTERED);
      } else {
        listener.notWaiting(key(m));
      }
      if (!listed.containsKey(m.uid())) {
        events.event(m.objectReference(), EventType.Normal, Names.REASON_JOINED_SLICE_UPF,
            "UE joined slice UPF %s (%s, UE pool %s)", upfName, group.slice().toString(), block);
        log.info("UE joined slice UPF {} ue={}", upfName, m);
        listener.upfCreated(cache.pods().namespace(ns).get(m.name()),
            new AttachTiming(began, applied.writesBegan(), applied.writesEnded()));
      }
    }
    for (V1OwnerReference r : listed.values()) {
      if (!memberUids.contains(r.getUid())) {
        unmarkLeaver(ns, r);
        events.event(ref(ns, r).objectReference(), EventType.Normal, Names.REASON_LEFT_SLICE_UPF,
            "UE left slice UPF %s", upfName);
        log.info("UE left slice UPF {} ue={}/{}", upfName, ns, r.getName());
        listener.upfRemoved(new Request(ns, r.getName()));
      }
    }
    if (refusedBySmf) {
      return new Result(true); // not registered yet: again, with backoff
    }
    return applied.result();
  }

  /** The group's attached UEs, sorted by name so the owner list is stable. */
  private List<UeRef> members(SliceGroup group, Set<String> listedUids) {
    return cache.pods().namespace(group.namespace()).list().stream()
        .filter(this::isCandidate)
        .filter(p -> UeState.isReady(p) || listedUids.contains(p.getMetadata().getUid()))
        .filter(p -> slices.resolve(p, cache::configMap) instanceof SliceResolver.Resolved r
            && r.slice().equals(group.slice()))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(UeRef::of)
        .toList();
  }

  private void markMember(UeRef m, Optional<UpfMark> mark) throws ApiException {
    V1Pod pod = cache.pods().namespace(m.namespace()).get(m.name());
    if (pod != null) {
      marks.converge(pod, mark);
    }
  }

  /** A UE the shared UPF lists but no longer serves: no mark, whether the cache still has it or not. */
  private void unmarkLeaver(String ns, V1OwnerReference r) throws ApiException {
    V1Pod pod = cache.pods().namespace(ns).get(r.getName());
    if (pod != null && r.getUid().equals(pod.getMetadata().getUid())) {
      marks.converge(pod, Optional.empty());
    } else {
      marks.removeUnseen(ns, r.getName(), r.getUid());
    }
  }

  private boolean isCandidate(V1Pod pod) {
    return config.ueSelector().matches(pod.getMetadata().getLabels()) && !UeState.isTerminating(pod)
        && !UeState.hasEnded(pod);
  }

  private static UeKey key(UeRef ue) {
    return new UeKey(ue.namespace(), ue.name());
  }

  private static UeRef ref(String ns, V1OwnerReference r) {
    return new UeRef(ns, r.getName(), r.getUid());
  }
}
