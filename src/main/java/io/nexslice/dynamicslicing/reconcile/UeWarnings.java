package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.extended.event.EventType;
import io.kubernetes.client.extended.event.legacy.EventRecorder;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.slice.Slice;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Refused input from a UE's owner: a Warning event on the UE pod and one log line, never a crash. */
final class UeWarnings {
  private static final Logger log = LoggerFactory.getLogger(UeWarnings.class);
  private final EventRecorder events;

  UeWarnings(EventRecorder events) {
    this.events = events;
  }

  /**
   * Annotations in our namespaces that we do not read: most likely an attempt to choose the
   * UPF's image, privileges or host access, which only the operator may do.
   */
  void ignoredAnnotations(UeRef ue, V1Pod pod) {
    Map<String, String> ann = pod.getMetadata().getAnnotations();
    if (ann == null) {
      return;
    }
    List<String> ignored = ann.keySet().stream()
        .filter(Names::isOurAnnotationKey)
        .filter(k -> !Names.UE_SETTABLE_ANNOTATIONS.contains(k))
        // the UPF mark is ours to write; one the owner writes is corrected, not warned about
        .filter(k -> !Names.MARK_ANNOTATIONS.contains(k))
        .sorted().limit(10).map(k -> k.length() > 80 ? k.substring(0, 80) + "..." : k).toList();
    if (!ignored.isEmpty()) {
      events.event(ue.objectReference(), EventType.Warning, Names.REASON_ANNOTATION_IGNORED,
          "Ignored annotations %s: a UE may set only %s, %s, %s and %s; image, privileges and host access come"
              + " only from the operator's configuration", ignored.toString(), Names.ANNOTATION_SST, Names.ANNOTATION_SD,
          Names.ANNOTATION_DNN, Names.ANNOTATION_UE_IP);
      log.warn("Ignored annotations {} ue={}", ignored, ue);
    }
  }

  void sliceInvalid(UeRef ue, String reason, String consequence) {
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_SLICE_INVALID, "%s: %s", consequence, reason);
    log.warn("Refused slice of ue={}: {}", ue, reason);
  }

  void nameTaken(UeRef ue, String kind, String name) {
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_NAME_TAKEN,
        "%s %s already exists and is not managed by %s for this UE; it is left untouched and the UE gets"
            + " no UPF until it is removed", kind, name, Names.CONTROLLER);
    log.warn("Refused to adopt {} {} ue={}: not ours", kind, name, ue);
  }

  void limitReached(UeRef ue, Slice slice, String namespace, int max, int count) {
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_LIMIT_REACHED,
        "Slice %s in namespace %s has %s UPFs, the budget UPF_MAX_PER_SLICE=%s (the OAI SMF associates with"
            + " at most 16); the UE gets its UPF when one frees, in the order UEs became Ready",
        slice.toString(), namespace, Integer.toString(count), Integer.toString(max));
    log.warn("UPF budget of slice {} in {} reached ({} of {}), ue={} waits", slice, namespace, count, max, ue);
  }

  void noSmfSubnet(UeRef ue, String dnn) {
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_SUBNET_UNKNOWN,
        "The SMF assigns the addresses of DNN %s, but SLICE_UE_SUBNETS does not say from which subnet; no UPF"
            + " until the operator adds %s=<the SMF's pool> to it", dnn, dnn);
    log.warn("No UE subnet for DNN {} in SLICE_UE_SUBNETS, ue={} gets no UPF", dnn, ue);
  }

  void notRegistered(UeRef ue, String upfName, String smf, String answer) {
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_NOT_REGISTERED,
        "UPF %s is not registered with the SMF at %s: %s; retrying with backoff, the UE is not marked until it is",
        upfName, smf, answer);
    log.warn("UPF {} not registered with the SMF at {}: {} ue={}", upfName, smf, answer, ue);
  }

  void notDeregistered(UeRef ue, String upfName, String smf, String answer) {
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_NOT_REGISTERED,
        "UPF %s is gone but the SMF at %s still lists it: %s; retrying with backoff", upfName, smf, answer);
    log.warn("UPF {} gone but still in the SMF at {}: {} ue={}", upfName, smf, answer, ue);
  }

  void addressInvalid(UeRef ue, String address, String reason) {
    String shown = address.length() > 60 ? address.substring(0, 60) + "..." : address;
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_ADDRESS_INVALID,
        "%s '%s' %s; no UPF until it is fixed", Names.ANNOTATION_UE_IP, shown, reason);
    log.warn("Refused static address of ue={}: '{}' {}", ue, shown, reason);
  }

  void addressIgnored(UeRef ue, String why) {
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_ANNOTATION_IGNORED,
        "Ignored %s: %s", Names.ANNOTATION_UE_IP, why);
    log.warn("Ignored static address of ue={}: {}", ue, why);
  }

  /**
   * A UPF's recorded pool could not be kept (outside UPF_POOL_CIDR, or overlapping another UPF's),
   * so it was moved: sessions opened on the old pool no longer reach it.
   */
  void poolMoved(UeRef ue, String upfName, String block, String replaced) {
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_POOL_MOVED,
        "Moved UPF %s to UE pool %s: its pool %s; sessions opened on the old pool must be opened again",
        upfName, block, replaced);
    log.warn("Moved UPF {} to UE pool {}: its pool {} ue={}", upfName, block, replaced, ue);
  }

  void poolExhausted(UeRef ue, String pool) {
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_POOL_EXHAUSTED,
        "No free UE address block in %s; the UE gets its UPF when a block frees", pool);
    log.warn("Address pool exhausted, ue={} waits", ue);
  }
}
