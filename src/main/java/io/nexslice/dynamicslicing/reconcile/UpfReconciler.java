package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.extended.controller.reconciler.Reconciler;
import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.extended.event.EventType;
import io.kubernetes.client.extended.event.legacy.EventRecorder;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.config.LabelSelector;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.Ownership;
import io.nexslice.dynamicslicing.model.Ownership.Owner;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UeState;
import io.nexslice.dynamicslicing.model.UpfDesiredState;
import io.nexslice.dynamicslicing.model.UpfNames;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.pool.PoolAllocator;
import io.nexslice.dynamicslicing.slice.SliceResolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Compares, for one UE pod, the UPF the cluster has with the UPF the UE should have, and
 * converges the two. Level-triggered: it reads only the informer caches, decides from what it
 * finds, and writes only what differs, so a replay, a resync or a restart changes nothing.
 */
public final class UpfReconciler implements Reconciler {
  private static final Logger log = LoggerFactory.getLogger(UpfReconciler.class);
  /** How soon to look again while the garbage collector removes an earlier pod's UPF. */
  static final Duration STALE_RECHECK = Duration.ofSeconds(1);
  /** How soon a UE waiting for a free address block looks again. */
  static final Duration POOL_RECHECK = Duration.ofSeconds(5);
  static final List<String> KINDS = List.of("ConfigMap", "Deployment", "Service");

  private final UeCache cache;
  private final LabelSelector selector;
  private final SliceResolver slices;
  private final PoolAllocator pool;
  private final UpfDesiredState desiredState;
  private final ApplyJson applyJson;
  private final UpfWriter writer;
  private final EventRecorder events;
  private final NameClaims claims;
  private final ReconcileListener listener;

  public UpfReconciler(UeCache cache, LabelSelector selector, SliceResolver slices, PoolAllocator pool,
      UpfDesiredState desiredState, ApplyJson applyJson, UpfWriter writer, EventRecorder events, NameClaims claims,
      ReconcileListener listener) {
    this.cache = cache;
    this.selector = selector;
    this.slices = slices;
    this.pool = pool;
    this.desiredState = desiredState;
    this.applyJson = applyJson;
    this.writer = writer;
    this.events = events;
    this.claims = claims;
    this.listener = listener;
  }

  /** One object slot of a UPF: what the cache holds under the UPF name and whose it is. */
  private record Slot(String kind, KubernetesObject existing, Owner owner) {
    String uid() {
      return existing.getMetadata().getUid();
    }

    String name() {
      return existing.getMetadata().getName();
    }
  }

  @Override
  public Result reconcile(Request request) {
    String key = request.getNamespace() + "/" + request.getName();
    MDC.put("ue", key);
    try {
      Result result = sync(request);
      listener.reconciled(request, "ok");
      return result;
    } catch (ApiException e) {
      listener.reconciled(request, "api_error_" + e.getCode());
      if (e.getCode() == 422) {
        // The API server refuses the object itself; requeueing cannot fix that.
        log.error("API server rejected the UPF for ue={}: {}", key, ApiErrors.message(e));
        return new Result(false);
      }
      log.warn("Failed to reconcile ue={}, will retry: HTTP {} {}", key, e.getCode(), ApiErrors.message(e));
      return new Result(true);
    } catch (RuntimeException e) {
      listener.reconciled(request, "exception");
      log.error("Failed to reconcile ue={}, will retry", key, e);
      return new Result(true);
    } finally {
      MDC.remove("ue");
    }
  }

  private Result sync(Request request) throws ApiException {
    String ns = request.getNamespace();
    V1Pod pod = cache.pods().namespace(ns).get(request.getName());
    String podUid = pod == null ? null : pod.getMetadata().getUid();
    String upfName = UpfNames.forPod(request.getName());
    List<Slot> slots = KINDS.stream()
        .map(kind -> {
          KubernetesObject o = cache.get(kind, ns, upfName);
          return new Slot(kind, o, Ownership.classify(o, request.getName(), podUid));
        })
        .toList();
    boolean selected = pod != null && selector.matches(pod.getMetadata().getLabels());
    boolean served = slots.stream().anyMatch(s -> s.owner() == Owner.THIS_UE);

    switch (UeState.attachment(pod, selected, served)) {
      case DETACHED:
        return detach(request, pod, upfName, slots);
      case ATTACHED:
        return attach(request, pod, upfName, slots);
      default:
        // Not Ready yet: nothing to create, but an earlier pod's UPF is still garbage.
        removeGarbage(request, slots);
        return new Result(false);
    }
  }

  private Result attach(Request request, V1Pod pod, String upfName, List<Slot> slots) throws ApiException {
    UeRef ue = UeRef.of(pod);
    warnAboutIgnoredAnnotations(ue, pod);

    SliceResolver.Resolution resolution = slices.resolve(pod, cache::configMap);
    if (resolution instanceof SliceResolver.Invalid invalid) {
      String kept = slots.stream().anyMatch(s -> s.owner() == Owner.THIS_UE) ? "; its existing UPF is left as it is" : "";
      events.event(ue.objectReference(), EventType.Warning, Names.REASON_SLICE_INVALID,
          "No UPF until fixed: %s%s", invalid.reason(), kept);
      log.warn("Refused slice of ue={}: {}", ue, invalid.reason());
      return new Result(false);
    }
    SliceResolver.Resolved slice = (SliceResolver.Resolved) resolution;

    String owner = ue.namespace() + "/" + upfName;
    Optional<String> block = pool.allocate(owner, currentBlock(slots));
    if (block.isEmpty()) {
      events.event(ue.objectReference(), EventType.Warning, Names.REASON_POOL_EXHAUSTED,
          "No free UE address block in %s; the UE gets its UPF when a block frees", pool.pool().toString());
      log.warn("Address pool exhausted, ue={} waits", ue);
      return new Result(true, POOL_RECHECK);
    }

    UpfObjects desired = desiredState.build(ue, slice.slice(), block.get());
    List<Slot> foreign = slots.stream()
        .filter(s -> s.owner() == Owner.FOREIGN && (desired.configMap() != null || !s.kind().equals("ConfigMap")))
        .toList();
    if (!foreign.isEmpty()) {
      pool.release(owner);
      for (Slot s : foreign) {
        claims.claim(ue.namespace(), s.name(), request);
        events.event(ue.objectReference(), EventType.Warning, Names.REASON_NAME_TAKEN,
            "%s %s already exists and is not managed by %s for this UE; it is left untouched and the UE gets"
                + " no UPF until it is removed", s.kind(), s.name(), Names.CONTROLLER);
        log.warn("Refused to adopt {} {} ue={}: not controlled by this UE pod", s.kind(), s.name(), ue);
      }
      return new Result(false);
    }
    claims.release(request);
    if (removeGarbage(request, slots)) {
      return new Result(true, STALE_RECHECK);
    }

    boolean fresh = slots.stream().allMatch(s -> s.owner() == Owner.ABSENT);
    List<String> written = new ArrayList<>();
    for (KubernetesObject object : desired.all()) {
      Slot slot = slots.get(KINDS.indexOf(object.getKind()));
      if (slot.owner() == Owner.THIS_UE && applyJson.isSatisfiedBy(object, slot.existing())) {
        continue;
      }
      writer.apply(object);
      written.add(object.getKind());
    }
    Slot configSlot = slots.get(0);
    if (desired.configMap() == null && configSlot.owner() == Owner.THIS_UE) {
      writer.delete("ConfigMap", ue.namespace(), upfName, configSlot.uid()); // the profile no longer has one
      written.add("ConfigMap removed");
    }
    if (!written.isEmpty()) {
      String what = String.join(", ", written);
      if (fresh) {
        events.event(ue.objectReference(), EventType.Normal, Names.REASON_UPF_CREATED,
            "Created UPF %s for %s, UE pool %s (%s)", upfName, slice.slice().toString(), block.get(), what);
        log.info("Created UPF {} for {} ({}), UE pool {} ({}) ue={}", upfName, slice.slice(), slice.source(),
            block.get(), what, ue);
        listener.upfCreated(pod);
      } else {
        events.event(ue.objectReference(), EventType.Normal, Names.REASON_UPF_UPDATED,
            "Updated UPF %s for %s, UE pool %s (%s)", upfName, slice.slice().toString(), block.get(), what);
        log.info("Updated UPF {} for {}, UE pool {} ({}) ue={}", upfName, slice.slice(), block.get(), what, ue);
      }
    }
    return new Result(false);
  }

  /** The block our Deployment already records, so a UE keeps its block across restarts. */
  private static Optional<String> currentBlock(List<Slot> slots) {
    return slots.stream()
        .filter(s -> s.owner() == Owner.THIS_UE && s.kind().equals("Deployment"))
        .map(s -> s.existing().getMetadata().getAnnotations())
        .filter(a -> a != null && a.get(Names.ANNOTATION_POOL) != null)
        .map(a -> a.get(Names.ANNOTATION_POOL))
        .findFirst();
  }

  /**
   * Annotations in our namespaces that we do not read: most likely an attempt to choose the
   * UPF's image, privileges or host access, which only the operator may do.
   */
  private void warnAboutIgnoredAnnotations(UeRef ue, V1Pod pod) {
    Map<String, String> ann = pod.getMetadata().getAnnotations();
    if (ann == null) {
      return;
    }
    List<String> ignored = ann.keySet().stream()
        .filter(k -> k.startsWith("nexslice.io/") || k.contains("dynamic-slicing"))
        .filter(k -> !k.equals(Names.ANNOTATION_SST) && !k.equals(Names.ANNOTATION_SD) && !k.equals(Names.ANNOTATION_DNN))
        .sorted().limit(10).map(k -> k.length() > 80 ? k.substring(0, 80) + "..." : k).toList();
    if (!ignored.isEmpty()) {
      events.event(ue.objectReference(), EventType.Warning, Names.REASON_ANNOTATION_IGNORED,
          "Ignored annotations %s: a UE may set only %s, %s and %s; image, privileges and host access come only"
              + " from the operator's configuration", ignored.toString(), Names.ANNOTATION_SST, Names.ANNOTATION_SD,
          Names.ANNOTATION_DNN);
      log.warn("Ignored annotations {} ue={}", ignored, ue);
    }
  }

  /** Deletes objects we made for an earlier pod of the same name; true when any was found. */
  private boolean removeGarbage(Request request, List<Slot> slots) throws ApiException {
    boolean any = false;
    for (Slot s : slots) {
      if (s.owner() == Owner.PREVIOUS_UE) {
        writer.delete(s.kind(), request.getNamespace(), s.name(), s.uid());
        log.info("Deleted {} {} left by an earlier pod ue={}/{}", s.kind(), s.name(), request.getNamespace(),
            request.getName());
        any = true;
      }
    }
    return any;
  }

  private Result detach(Request request, V1Pod pod, String upfName, List<Slot> slots) throws ApiException {
    claims.release(request);
    List<String> deleted = new ArrayList<>();
    String ownerUid = null;
    for (Slot s : slots) {
      if (s.owner() == Owner.THIS_UE || s.owner() == Owner.PREVIOUS_UE) {
        ownerUid = Ownership.controllerPod(s.existing()).orElseThrow().getUid();
        if (writer.delete(s.kind(), request.getNamespace(), upfName, s.uid())) {
          deleted.add(s.kind());
        }
      }
    }
    // The block is free once the Deployment that records it is gone from the cache.
    pool.release(request.getNamespace() + "/" + upfName);
    if (!deleted.isEmpty()) {
      UeRef ue = pod != null ? UeRef.of(pod) : new UeRef(request.getNamespace(), request.getName(), ownerUid);
      String why = pod == null ? "UE pod gone or no longer selected"
          : UeState.isTerminating(pod) ? "UE pod terminating" : "UE pod no longer selected";
      events.event(ue.objectReference(), EventType.Normal, Names.REASON_UPF_REMOVED,
          "Removed UPF %s (%s): %s", upfName, String.join(", ", deleted), why);
      log.info("Removed UPF {} ({}) ue={}: {}", upfName, String.join(", ", deleted), ue, why);
      listener.upfRemoved(request);
    }
    return new Result(false);
  }
}
