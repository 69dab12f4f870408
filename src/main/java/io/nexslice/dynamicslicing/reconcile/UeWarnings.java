package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.extended.event.EventType;
import io.kubernetes.client.extended.event.legacy.EventRecorder;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.UeRef;
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
        .filter(k -> k.startsWith("nexslice.io/") || k.contains("dynamic-slicing"))
        .filter(k -> !k.equals(Names.ANNOTATION_SST) && !k.equals(Names.ANNOTATION_SD) && !k.equals(Names.ANNOTATION_DNN))
        // the UPF mark is ours to write; one the owner writes is corrected, not warned about
        .filter(k -> !k.equals(Names.ANNOTATION_UPF) && !k.equals(Names.ANNOTATION_UPF_READY))
        .sorted().limit(10).map(k -> k.length() > 80 ? k.substring(0, 80) + "..." : k).toList();
    if (!ignored.isEmpty()) {
      events.event(ue.objectReference(), EventType.Warning, Names.REASON_ANNOTATION_IGNORED,
          "Ignored annotations %s: a UE may set only %s, %s and %s; image, privileges and host access come only"
              + " from the operator's configuration", ignored.toString(), Names.ANNOTATION_SST, Names.ANNOTATION_SD,
          Names.ANNOTATION_DNN);
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

  void poolExhausted(UeRef ue, String pool) {
    events.event(ue.objectReference(), EventType.Warning, Names.REASON_POOL_EXHAUSTED,
        "No free UE address block in %s; the UE gets its UPF when a block frees", pool);
    log.warn("Address pool exhausted, ue={} waits", ue);
  }
}
