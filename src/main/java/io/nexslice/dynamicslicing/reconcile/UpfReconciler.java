package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.extended.event.EventType;
import io.kubernetes.client.extended.event.legacy.EventRecorder;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.config.LabelSelector;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.model.Ownership.Owner;
import io.nexslice.dynamicslicing.model.Ownership;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UeState;
import io.nexslice.dynamicslicing.model.UpfMark;
import io.nexslice.dynamicslicing.model.UpfNames;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.pool.SliceBudget;
import io.nexslice.dynamicslicing.pool.UeKey;
import io.nexslice.dynamicslicing.pool.UeSubnets;
import io.nexslice.dynamicslicing.pool.UpfKey;
import io.nexslice.dynamicslicing.slice.Slice;
import io.nexslice.dynamicslicing.slice.SliceGroup;
import io.nexslice.dynamicslicing.slice.SliceResolver;
import io.nexslice.dynamicslicing.smf.SmfNode;
import io.nexslice.dynamicslicing.smf.UpfRegistry;
import io.nexslice.dynamicslicing.write.UeMarks;
import io.nexslice.dynamicslicing.write.WriteExpectations;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares, for one UE pod, the UPF the cluster has with the UPF the UE should have, and
 * converges the two. Level-triggered: it reads only the informer caches, decides from what it
 * finds, and writes only what differs, so a replay, a resync or a restart changes nothing.
 */
public final class UpfReconciler extends GuardedReconciler {
  private static final Logger log = LoggerFactory.getLogger(UpfReconciler.class);
  /** How soon to look again while the garbage collector removes an earlier pod's UPF. */
  static final Duration STALE_RECHECK = Duration.ofSeconds(1);
  /** How soon a UE waiting for a free address block looks again. */
  static final Duration POOL_RECHECK = Duration.ofSeconds(5);
  /** Safety net for a UE waiting for its slice's budget; a freed slot wakes it anyway. */
  static final Duration BUDGET_RECHECK = Duration.ofSeconds(5);
  /** Safety net while a UE's ConfigMap is not in the cache; its arrival wakes the UE anyway. */
  static final Duration CONFIG_RECHECK = Duration.ofSeconds(5);

  private final UeCache cache;
  private final LabelSelector selector;
  private final SliceResolver slices;
  private final UeSubnets subnets;
  private final SliceBudget budget;
  private final UpfDesiredState desiredState;
  private final SlotWriter slotWriter;
  private final EventRecorder events;
  private final UeWarnings warnings;
  private final NameClaims claims;
  private final UeMarks marks;
  private final UpfRegistry registry;
  private final ReconcileListener listener;

  /**
   * @param selector which pods are UEs (a pod that stops matching is detached)
   * @param budget the per-slice UPF budget (per-UE mode only)
   */
  public UpfReconciler(ReconcileContext context, LabelSelector selector, SliceBudget budget) {
    super(context.listener());
    this.cache = context.cache();
    this.selector = selector;
    this.slices = context.slices();
    this.subnets = context.subnets();
    this.budget = budget;
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
    long began = System.nanoTime();
    if (SliceGroup.isGroupKey(request.getName())) {
      return removeSliceLeftover(SliceGroup.parse(request.getNamespace(), request.getName()));
    }
    String ns = request.getNamespace();
    V1Pod pod = cache.pods().namespace(ns).get(request.getName());
    String podUid = pod == null ? null : pod.getMetadata().getUid();
    String upfName = UpfNames.forPod(request.getName());
    List<Slot> slots = Slot.of(cache, ns, upfName, (kind, o) -> Ownership.classify(o, request.getName(), podUid));
    boolean selected = pod != null && selector.matches(pod.getMetadata().getLabels());
    boolean served = slots.stream().anyMatch(s -> s.owner() == Owner.THIS_UE);

    switch (UeState.attachment(pod, selected, served)) {
      case DETACHED:
        return detach(request, pod, upfName, slots);
      case ATTACHED:
        return attach(request, pod, upfName, slots, began);
      default:
        // Not Ready yet: nothing to create, but an earlier pod's UPF is still garbage.
        listener.notWaiting(new UeKey(ns, request.getName()));
        removeGarbage(request, slots);
        marks.converge(pod, Optional.empty());
        return new Result(false);
    }
  }

  private Result attach(Request request, V1Pod pod, String upfName, List<Slot> slots, long began) throws ApiException {
    UeRef ue = UeRef.of(pod);
    UeKey key = new UeKey(ue.namespace(), ue.name());
    warnings.ignoredAnnotations(ue, pod);

    UpfKey owner = new UpfKey(ue.namespace(), upfName);
    SliceResolver.Resolution resolution = slices.resolve(pod, cache::configMap);
    if (resolution instanceof SliceResolver.Pending pending) {
      log.debug("Waiting for the UE's config ue={}: {}", ue, pending.reason());
      listener.waiting(key, Names.WAIT_CONFIG_PENDING);
      return new Result(true, CONFIG_RECHECK); // the ConfigMap's arrival wakes it too
    }
    if (resolution instanceof SliceResolver.Invalid invalid) {
      // As for any refused input: no UPF until fixed, also for a UE that had one.
      budget.stopsWaiting(key);
      SlotWriter.Removed removal = removeRefused(request, pod, upfName, slots, "its slice is invalid");
      warnings.sliceInvalid(ue, invalid.reason(), removal.kinds().isEmpty() ? "No UPF until fixed" : "UPF removed until fixed");
      listener.waiting(key, Names.REASON_SLICE_INVALID);
      return removal.result();
    }
    Slice slice = ((SliceResolver.Resolved) resolution).slice();
    String sliceKey = SliceBudget.key(ue.namespace(), slice.toString());
    if (!budget.admit(sliceKey, owner, () -> readyBeforeAndWaiting(pod, slice))) {
      // Its UPF, if any, serves another slice: it goes, so that slice's next UE gets the slot.
      removeRefused(request, pod, upfName, slots, "its slice's UPF budget is used up");
      if (budget.waits(sliceKey, key)) {
        warnings.limitReached(ue, slice, ue.namespace(), budget.max(), budget.count(sliceKey));
      }
      listener.waiting(key, Names.REASON_LIMIT_REACHED);
      return new Result(true, BUDGET_RECHECK);
    }
    budget.stopsWaiting(key);

    Optional<String> staticAddress = StaticAddress.of(pod);
    if (staticAddress.isPresent() && subnets.smfAssigns()) {
      warnings.addressIgnored(ue, "with the " + desiredState.profile().name() + " profile the SMF assigns UE addresses"
          + " from its own pool, so an address binds no UPF");
      staticAddress = Optional.empty();
    }
    UeSubnets.Assignment subnet = subnets.assign(owner, slice.dnn(), SlotWriter.currentBlock(slots), staticAddress);
    if (subnet instanceof UeSubnets.AddressInvalid invalid) {
      SlotWriter.Removed removal = removeRefused(request, pod, upfName, slots, "its static address cannot be bound");
      warnings.addressInvalid(ue, staticAddress.orElseThrow(), invalid.reason());
      listener.waiting(key, Names.REASON_ADDRESS_INVALID);
      return invalid.mayFree() ? new Result(true, POOL_RECHECK) : removal.result();
    }
    if (subnet instanceof UeSubnets.Exhausted exhausted) {
      budget.release(owner);
      marks.converge(pod, Optional.empty());
      warnings.poolExhausted(ue, exhausted.pool());
      listener.waiting(key, Names.REASON_POOL_EXHAUSTED);
      return new Result(true, POOL_RECHECK);
    }
    if (subnet instanceof UeSubnets.NoSmfSubnet none) {
      budget.stopsWaiting(key);
      SlotWriter.Removed removal = removeRefused(request, pod, upfName, slots, "no UE subnet for its DNN");
      warnings.noSmfSubnet(ue, none.dnn());
      listener.waiting(key, Names.REASON_SUBNET_UNKNOWN);
      return removal.result();
    }
    UeSubnets.Assigned assigned = (UeSubnets.Assigned) subnet;
    String block = assigned.subnet();

    UpfObjects desired = desiredState.build(ue, slice, block);
    List<Slot> foreign = SlotWriter.foreign(slots, desired);
    if (!foreign.isEmpty()) {
      subnets.release(owner);
      budget.release(owner);
      marks.converge(pod, Optional.empty());
      for (Slot s : foreign) {
        claims.claim(ue.namespace(), s.name(), request);
        warnings.nameTaken(ue, s.kind(), s.name());
      }
      listener.waiting(key, Names.REASON_NAME_TAKEN);
      return new Result(false);
    }
    claims.release(request);
    if (removeGarbage(request, slots)) {
      return new Result(true, STALE_RECHECK);
    }

    boolean fresh = slots.stream().allMatch(s -> s.owner() == Owner.ABSENT);
    SlotWriter.Applied applied = slotWriter.applyChanged(desired, slots);
    List<String> written = applied.written();
    if (!written.isEmpty()) {
      String what = String.join(", ", written);
      if (fresh) {
        events.event(ue.objectReference(), EventType.Normal, Names.REASON_UPF_CREATED,
            "Created UPF %s for %s, UE pool %s (%s)", upfName, slice.toString(), block, what);
        log.info("Created UPF {} for {} ({}), UE pool {} ({}) ue={}", upfName, slice,
            ((SliceResolver.Resolved) resolution).source(), block, what, ue);
        listener.upfCreated(pod, new AttachTiming(began, applied.writesBegan(), applied.writesEnded()));
      } else {
        events.event(ue.objectReference(), EventType.Normal, Names.REASON_UPF_UPDATED,
            "Updated UPF %s for %s, UE pool %s (%s)", upfName, slice.toString(), block, what);
        log.info("Updated UPF {} for {}, UE pool {} ({}) ue={}", upfName, slice, block, what, ue);
        assigned.replaced().ifPresent(old -> warnings.poolMoved(ue, upfName, block, old));
      }
    }
    // The mark says "open your session": with a registry, only once the SMF holds the UPF too.
    Optional<UpfMark> mark = SlotWriter.markFor(upfName, slots);
    if (mark.isPresent()) {
      UpfRegistry.Outcome registered = registry.register(SmfNode.of(ue.namespace(), upfName, slice, block, staticAddress.isPresent()));
      if (registered instanceof UpfRegistry.Refused refused) {
        marks.converge(pod, Optional.empty());
        warnings.notRegistered(ue, upfName, registry.target(), refused.answer());
        listener.waiting(key, Names.REASON_NOT_REGISTERED);
        return new Result(true);
      }
    }
    listener.notWaiting(key);
    marks.converge(pod, mark);
    return applied.result();
  }

  /**
   * Mode switch per-slice to per-ue: a shared UPF goes once every UE it lists either has its own
   * UPF or no longer needs one, so no attached UE is ever without a UPF in between.
   */
  private Result removeSliceLeftover(SliceGroup group) throws ApiException {
    String ns = group.namespace();
    String upfName = UpfNames.forSlice(group.slice());
    List<Slot> slots = Slot.of(cache, ns, upfName, (kind, o) -> Ownership.classifyShared(o, group.key()));
    Slot d = Slot.ofKind(slots, "Deployment");
    if (slots.stream().noneMatch(s -> s.owner() == Owner.THIS_UE)) {
      return new Result(false);
    }
    List<V1OwnerReference> listed = d.owner() == Owner.THIS_UE && d.existing().getMetadata().getOwnerReferences() != null
        ? d.existing().getMetadata().getOwnerReferences() : List.of();
    for (V1OwnerReference r : listed) {
      V1Pod pod = cache.pods().namespace(ns).get(r.getName());
      if (pod == null || !pod.getMetadata().getUid().equals(r.getUid())) {
        continue;
      }
      boolean hasOwn = cache.deployments().namespace(ns).get(UpfNames.forPod(r.getName())) != null;
      boolean selected = selector.matches(pod.getMetadata().getLabels());
      if (UeState.attachment(pod, selected, hasOwn) == UeState.Attachment.ATTACHED && !hasOwn) {
        return new Result(true, STALE_RECHECK); // this UE's own UPF is not there yet
      }
    }
    SlotWriter.Removed removed = slotWriter.remove(ns, upfName, slots, s -> s.owner() == Owner.THIS_UE);
    subnets.release(new UpfKey(ns, upfName));
    log.info("Removed slice UPF {} ({}): its UEs have their own UPFs now", upfName, removed.kinds());
    if (registry.deregister(ns, upfName) instanceof UpfRegistry.Refused refused) {
      throw new RetryLater("slice UPF " + upfName + " still in the SMF: " + refused.answer());
    }
    return removed.result();
  }

  /**
   * A UE refused a UPF (invalid slice, no budget, no subnet): the UPF it had, if any, goes, with
   * its mark, block and budget slot.
   */
  private SlotWriter.Removed removeRefused(Request request, V1Pod pod, String upfName, List<Slot> slots, String why)
      throws ApiException {
    SlotWriter.Removed removed = slotWriter.remove(request.getNamespace(), upfName, slots,
        s -> s.owner() == Owner.THIS_UE || s.owner() == Owner.PREVIOUS_UE);
    marks.converge(pod, Optional.empty());
    UpfKey owner = new UpfKey(request.getNamespace(), upfName);
    subnets.release(owner);
    budget.release(owner);
    if (!removed.kinds().isEmpty()) {
      log.info("Removed UPF {} ({}) ue={}/{}: {}", upfName, removed.kinds(), request.getNamespace(), request.getName(), why);
      listener.upfRemoved(request);
    }
    deregister(request.getNamespace(), upfName, UeRef.of(pod));
    return removed;
  }

  /**
   * UEs of {@code slice} in the pod's namespace that became Ready before it and have no UPF yet:
   * they get a freed slot first. Read from the caches, so it is the same after a restart.
   */
  private int readyBeforeAndWaiting(V1Pod pod, Slice slice) {
    String ns = pod.getMetadata().getNamespace();
    int ahead = 0;
    for (V1Pod other : cache.pods().namespace(ns).list()) {
      String name = other.getMetadata().getName();
      if (name.equals(pod.getMetadata().getName()) || UeState.READY_ORDER.compare(other, pod) >= 0
          || !selector.matches(other.getMetadata().getLabels())
          || UeState.attachment(other, true, false) != UeState.Attachment.ATTACHED
          || cache.deployments().namespace(ns).get(UpfNames.forPod(name)) != null
          || budget.isReserved(new UpfKey(ns, UpfNames.forPod(name)))) {
        continue;
      }
      if (slices.resolve(other, cache::configMap) instanceof SliceResolver.Resolved r && r.slice().equals(slice)) {
        ahead++;
      }
    }
    return ahead;
  }

  /** Deletes objects we made for an earlier pod of the same name; true when any was found. */
  private boolean removeGarbage(Request request, List<Slot> slots) throws ApiException {
    List<String> deleted = slotWriter.delete(slots, s -> s.owner() == Owner.PREVIOUS_UE);
    if (!deleted.isEmpty()) {
      log.info("Deleted {} left by an earlier pod ue={}/{}", deleted, request.getNamespace(), request.getName());
    }
    return slots.stream().anyMatch(s -> s.owner() == Owner.PREVIOUS_UE);
  }

  private Result detach(Request request, V1Pod pod, String upfName, List<Slot> slots) throws ApiException {
    claims.release(request);
    String ownerUid = slots.stream()
        .filter(s -> s.owner() == Owner.THIS_UE || s.owner() == Owner.PREVIOUS_UE)
        .map(s -> Ownership.controllerPod(s.existing()).orElseThrow().getUid())
        .findFirst().orElse(null);
    SlotWriter.Removed removed = slotWriter.remove(request.getNamespace(), upfName, slots,
        s -> s.owner() == Owner.THIS_UE || s.owner() == Owner.PREVIOUS_UE);
    List<String> deleted = removed.kinds();
    if (pod != null) {
      marks.converge(pod, Optional.empty()); // terminating: the UE releases its sessions on seeing this
    } else if (ownerUid != null) {
      marks.removeUnseen(request.getNamespace(), request.getName(), ownerUid); // opted out (or deleted)
    }
    // The block and the budget slot are free once the Deployment that records them leaves the cache.
    UpfKey upf = new UpfKey(request.getNamespace(), upfName);
    subnets.release(upf);
    budget.release(upf);
    UeKey waiter = new UeKey(request.getNamespace(), request.getName());
    budget.stopsWaiting(waiter);
    listener.notWaiting(waiter);
    UeRef ue = pod != null ? UeRef.of(pod) : new UeRef(request.getNamespace(), request.getName(), ownerUid);
    if (!deleted.isEmpty()) {
      String why = pod == null ? "UE pod gone or no longer selected"
          : UeState.isTerminating(pod) ? "UE pod terminating"
          : UeState.hasEnded(pod) ? "UE pod " + pod.getStatus().getPhase() : "UE pod no longer selected";
      events.event(ue.objectReference(), EventType.Normal, Names.REASON_UPF_REMOVED,
          "Removed UPF %s (%s): %s", upfName, String.join(", ", deleted), why);
      log.info("Removed UPF {} ({}) ue={}: {}", upfName, String.join(", ", deleted), ue, why);
      listener.upfRemoved(request);
    }
    deregister(request.getNamespace(), upfName, ue);
    return removed.result();
  }

  /** The SMF forgets a removed UPF; throws RetryLater (after a Warning) while it will not. */
  private void deregister(String namespace, String upfName, UeRef ue) {
    if (registry.deregister(namespace, upfName) instanceof UpfRegistry.Refused refused) {
      warnings.notDeregistered(ue, upfName, registry.target(), refused.answer());
      throw new RetryLater("UPF " + upfName + " still in the SMF: " + refused.answer());
    }
  }
}
