package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.extended.controller.reconciler.Reconciler;
import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.extended.event.EventType;
import io.kubernetes.client.extended.event.legacy.EventRecorder;
import io.kubernetes.client.informer.cache.Lister;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Service;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  private final Lister<V1Pod> pods;
  private final Lister<V1Deployment> deployments;
  private final Lister<V1Service> services;
  private final LabelSelector selector;
  private final UpfDesiredState desiredState;
  private final ApplyJson applyJson;
  private final UpfWriter writer;
  private final EventRecorder events;
  private final NameClaims claims;
  private final ReconcileListener listener;

  public UpfReconciler(Lister<V1Pod> pods, Lister<V1Deployment> deployments, Lister<V1Service> services,
      LabelSelector selector, UpfDesiredState desiredState, ApplyJson applyJson, UpfWriter writer,
      EventRecorder events, NameClaims claims, ReconcileListener listener) {
    this.pods = pods;
    this.deployments = deployments;
    this.services = services;
    this.selector = selector;
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
    V1Pod pod = pods.namespace(ns).get(request.getName());
    String podUid = pod == null ? null : pod.getMetadata().getUid();
    String upfName = UpfNames.forPod(request.getName());
    List<Slot> slots = List.of(
        slot("Deployment", deployments.namespace(ns).get(upfName), request.getName(), podUid),
        slot("Service", services.namespace(ns).get(upfName), request.getName(), podUid));
    boolean selected = pod != null && selector.matches(pod.getMetadata().getLabels());
    boolean served = slots.stream().anyMatch(s -> s.owner() == Owner.THIS_UE);

    switch (UeState.attachment(pod, selected, served)) {
      case DETACHED:
        return detach(request, pod, slots);
      case ATTACHED:
        return attach(request, pod, slots);
      default:
        // Not Ready yet: nothing to create, but an earlier pod's UPF is still garbage.
        removeGarbage(request, slots);
        return new Result(false);
    }
  }

  private static Slot slot(String kind, KubernetesObject existing, String podName, String podUid) {
    return new Slot(kind, existing, Ownership.classify(existing, podName, podUid));
  }

  private Result attach(Request request, V1Pod pod, List<Slot> slots) throws ApiException {
    UeRef ue = UeRef.of(pod);
    List<Slot> foreign = slots.stream().filter(s -> s.owner() == Owner.FOREIGN).toList();
    if (!foreign.isEmpty()) {
      for (Slot s : foreign) {
        String name = s.existing().getMetadata().getName();
        claims.claim(ue.namespace(), name, request);
        String message = String.format("%s %s already exists and is not managed by %s for this UE;"
            + " it is left untouched and the UE gets no UPF until it is removed", s.kind(), name, Names.CONTROLLER);
        events.event(ue.objectReference(), EventType.Warning, Names.REASON_NAME_TAKEN, message);
        log.warn("Refused to adopt {} {} ue={}: not controlled by this UE pod", s.kind(), name, ue);
      }
      return new Result(false);
    }
    claims.release(request);
    if (removeGarbage(request, slots)) {
      return new Result(true, STALE_RECHECK);
    }

    UpfObjects desired = desiredState.build(ue);
    List<String> written = new ArrayList<>();
    boolean fresh = slots.stream().allMatch(s -> s.owner() == Owner.ABSENT);
    applyIfChanged(desired.deployment(), slots.get(0), written);
    applyIfChanged(desired.service(), slots.get(1), written);
    if (!written.isEmpty()) {
      String name = desired.deployment().getMetadata().getName();
      if (fresh) {
        events.event(ue.objectReference(), EventType.Normal, Names.REASON_UPF_CREATED,
            "Created UPF %s (%s)", name, String.join(", ", written));
        log.info("Created UPF {} ({}) ue={}", name, String.join(", ", written), ue);
        listener.upfCreated(pod);
      } else {
        events.event(ue.objectReference(), EventType.Normal, Names.REASON_UPF_UPDATED,
            "Restored UPF %s (%s)", name, String.join(", ", written));
        log.info("Restored UPF {} ({}) ue={}", name, String.join(", ", written), ue);
      }
    }
    return new Result(false);
  }

  private void applyIfChanged(KubernetesObject desired, Slot slot, List<String> written) throws ApiException {
    if (slot.owner() == Owner.THIS_UE && applyJson.isSatisfiedBy(desired, slot.existing())) {
      return;
    }
    writer.apply(desired);
    written.add(slot.kind());
  }

  /** Deletes objects we made for an earlier pod of the same name; true when any was found. */
  private boolean removeGarbage(Request request, List<Slot> slots) throws ApiException {
    boolean any = false;
    for (Slot s : slots) {
      if (s.owner() == Owner.PREVIOUS_UE) {
        writer.delete(s.kind(), request.getNamespace(), s.existing().getMetadata().getName(), s.uid());
        log.info("Deleted {} {} left by an earlier pod ue={}/{}", s.kind(), s.existing().getMetadata().getName(),
            request.getNamespace(), request.getName());
        any = true;
      }
    }
    return any;
  }

  private Result detach(Request request, V1Pod pod, List<Slot> slots) throws ApiException {
    claims.release(request);
    List<String> deleted = new ArrayList<>();
    String upfName = null;
    String ownerUid = null;
    for (Slot s : slots) {
      if (s.owner() == Owner.THIS_UE || s.owner() == Owner.PREVIOUS_UE) {
        upfName = s.existing().getMetadata().getName();
        ownerUid = Ownership.controllerPod(s.existing()).orElseThrow().getUid();
        if (writer.delete(s.kind(), request.getNamespace(), upfName, s.uid())) {
          deleted.add(s.kind());
        }
      }
    }
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
