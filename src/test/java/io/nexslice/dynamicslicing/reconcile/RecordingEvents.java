package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.extended.event.EventType;
import io.kubernetes.client.extended.event.legacy.EventRecorder;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The fake event recorder: keeps what would reach `kubectl get events`, in order. */
final class RecordingEvents implements EventRecorder {
  /** One event: its type and reason, the object it is about (name and uid), and the message. */
  record Event(EventType type, String reason, String name, String uid, String message) {
    /** As tests spell it: "Normal UpfCreated on ue1/uid-new". */
    String describe() {
      return type + " " + reason + " on " + name + "/" + uid;
    }
  }

  private final List<Event> events = new ArrayList<>();

  @Override
  public void event(KubernetesObject object, EventType type, String reason, String format, String... args) {
    record(object.getMetadata().getName(), object.getMetadata().getUid(), type, reason, format, args);
  }

  @Override
  public void event(KubernetesObject object, Map<String, String> annotations, EventType type, String reason,
      String format, String... args) {
    event(object, type, reason, format, args);
  }

  @Override
  public void event(V1ObjectReference ref, EventType type, String reason, String format, String... args) {
    record(ref.getName(), ref.getUid(), type, reason, format, args);
  }

  @Override
  public void event(V1ObjectReference ref, Map<String, String> annotations, EventType type, String reason,
      String format, String... args) {
    event(ref, type, reason, format, args);
  }

  private synchronized void record(String name, String uid, EventType type, String reason, String format,
      String... args) {
    events.add(new Event(type, reason, name, uid, String.format(format, (Object[]) args)));
  }

  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  synchronized List<String> described() {
    return events.stream().map(Event::describe).toList();
  }
}
