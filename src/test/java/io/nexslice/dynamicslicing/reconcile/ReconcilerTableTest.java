package io.nexslice.dynamicslicing.reconcile;

import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.NEW_UID;
import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.NS;
import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.OLD_UID;
import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.UE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UpfNames;
import io.nexslice.dynamicslicing.reconcile.ReconcileHarness.PodState;
import io.nexslice.dynamicslicing.slice.Slice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One reconcile of the UE pod ue1 (uid-new) for every combination of who holds the UPF's name,
 * what state the UE is in and which mode the controller runs in; each row says what a user would
 * see: the writes (kind, name; for deletes the uid precondition; marks on the UE pod), the events
 * (type, reason, and which pod they are about) and whether the key is requeued.
 *
 * <p>The UPF's holder: OURS (made for this very pod: uid-new; the pod carries its mark), PREVIOUS
 * (made by us for an earlier pod of the same name: uid-old), FOREIGN (a Deployment of that name
 * someone else made: a squatter) or ABSENT. Per slice, "the UPF" is the slice's shared one
 * (upf-sst1-ffffff-oai) and OURS/PREVIOUS say which pod its owner references list.
 *
 * <p>The UE: ATTACHED (selected and Ready), PENDING (selected, not Ready: never yet, or, with a
 * UPF of its own, no longer, which keeps the UPF through a readiness flap), or detached:
 * UNLABELLED (selector label removed; the informer of a real controller drops the pod, which
 * DELETED covers), TERMINATING, FAILED, DELETED (not in the cache).
 */
class ReconcilerTableTest {
  enum Mode { PER_UE, PER_SLICE }

  enum Holder { OURS, PREVIOUS, FOREIGN, ABSENT }

  enum Ue {
    ATTACHED(PodState.READY), PENDING(PodState.NOT_READY), UNLABELLED(PodState.UNLABELLED),
    TERMINATING(PodState.TERMINATING), FAILED(PodState.FAILED), DELETED(null);

    final PodState pod;

    Ue(PodState pod) {
      this.pod = pod;
    }
  }

  record Row(Mode mode, Holder holder, Ue ue, List<String> writes, List<String> events, Result result) {
    String name() {
      return mode + " " + holder + " " + ue;
    }
  }

  private static final String UPF = UpfNames.forPod(UE);
  private static final String SHARED = UpfNames.forSlice(new Slice(1, Optional.of("FFFFFF"), "oai"));
  private static final Result DONE = new Result(false);
  private static final Result STALE_RECHECK = new Result(true, Duration.ofSeconds(1));
  private static final List<String> NOTHING = List.of();
  private static final List<Ue> DETACHED = List.of(Ue.UNLABELLED, Ue.TERMINATING, Ue.FAILED);

  private static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    // ---- per-UE: UpfReconciler ----
    rows.add(new Row(Mode.PER_UE, Holder.OURS, Ue.ATTACHED, NOTHING, NOTHING, DONE));
    rows.add(new Row(Mode.PER_UE, Holder.PREVIOUS, Ue.ATTACHED, deletes(UPF, "prev"), NOTHING, STALE_RECHECK));
    rows.add(new Row(Mode.PER_UE, Holder.FOREIGN, Ue.ATTACHED, NOTHING, List.of(warning(Names.REASON_NAME_TAKEN, NEW_UID)), DONE));
    rows.add(new Row(Mode.PER_UE, Holder.ABSENT, Ue.ATTACHED, applies(UPF), List.of(normal(Names.REASON_UPF_CREATED, NEW_UID)), DONE));

    rows.add(new Row(Mode.PER_UE, Holder.OURS, Ue.PENDING, NOTHING, NOTHING, DONE));
    rows.add(new Row(Mode.PER_UE, Holder.PREVIOUS, Ue.PENDING, deletes(UPF, "prev"), NOTHING, DONE));
    rows.add(new Row(Mode.PER_UE, Holder.FOREIGN, Ue.PENDING, NOTHING, NOTHING, DONE));
    rows.add(new Row(Mode.PER_UE, Holder.ABSENT, Ue.PENDING, NOTHING, NOTHING, DONE));

    for (Ue detached : DETACHED) {
      rows.add(new Row(Mode.PER_UE, Holder.OURS, detached, concat(deletes(UPF, "ours"), unmark(NEW_UID)),
          List.of(normal(Names.REASON_UPF_REMOVED, NEW_UID)), DONE));
      rows.add(new Row(Mode.PER_UE, Holder.PREVIOUS, detached, deletes(UPF, "prev"),
          List.of(normal(Names.REASON_UPF_REMOVED, NEW_UID)), DONE));
      rows.add(new Row(Mode.PER_UE, Holder.FOREIGN, detached, NOTHING, NOTHING, DONE));
      rows.add(new Row(Mode.PER_UE, Holder.ABSENT, detached, NOTHING, NOTHING, DONE));
    }

    rows.add(new Row(Mode.PER_UE, Holder.OURS, Ue.DELETED, concat(deletes(UPF, "ours"), unmark(NEW_UID)),
        List.of(normal(Names.REASON_UPF_REMOVED, NEW_UID)), DONE));
    rows.add(new Row(Mode.PER_UE, Holder.PREVIOUS, Ue.DELETED, concat(deletes(UPF, "prev"), unmark(OLD_UID)),
        List.of(normal(Names.REASON_UPF_REMOVED, OLD_UID)), DONE));
    rows.add(new Row(Mode.PER_UE, Holder.FOREIGN, Ue.DELETED, NOTHING, NOTHING, DONE));
    rows.add(new Row(Mode.PER_UE, Holder.ABSENT, Ue.DELETED, NOTHING, NOTHING, DONE));

    // ---- per-slice: SliceUpfReconciler, reconciling the UE's key ----
    rows.add(new Row(Mode.PER_SLICE, Holder.OURS, Ue.ATTACHED, NOTHING, NOTHING, DONE));
    // The slice's UPF serves whichever pods are attached now: the new pod joins, the old uid leaves.
    rows.add(new Row(Mode.PER_SLICE, Holder.PREVIOUS, Ue.ATTACHED,
        concat(applies(SHARED), mark(NEW_UID, SHARED), unmark(OLD_UID)),
        List.of(normal(Names.REASON_JOINED_SLICE_UPF, NEW_UID), normal(Names.REASON_LEFT_SLICE_UPF, OLD_UID)), DONE));
    rows.add(new Row(Mode.PER_SLICE, Holder.FOREIGN, Ue.ATTACHED, NOTHING, List.of(warning(Names.REASON_NAME_TAKEN, NEW_UID)), DONE));
    rows.add(new Row(Mode.PER_SLICE, Holder.ABSENT, Ue.ATTACHED, applies(SHARED),
        List.of(normal(Names.REASON_JOINED_SLICE_UPF, NEW_UID)), DONE));

    rows.add(new Row(Mode.PER_SLICE, Holder.OURS, Ue.PENDING, NOTHING, NOTHING, DONE));
    rows.add(new Row(Mode.PER_SLICE, Holder.PREVIOUS, Ue.PENDING, concat(deletes(SHARED, "prev"), unmark(OLD_UID)),
        List.of(normal(Names.REASON_UPF_REMOVED, OLD_UID)), DONE));
    rows.add(new Row(Mode.PER_SLICE, Holder.FOREIGN, Ue.PENDING, NOTHING, NOTHING, DONE));
    rows.add(new Row(Mode.PER_SLICE, Holder.ABSENT, Ue.PENDING, NOTHING, NOTHING, DONE));

    for (Ue detached : DETACHED) {
      // The pod's mark goes first, then the shared UPF its last UE left.
      rows.add(new Row(Mode.PER_SLICE, Holder.OURS, detached, concat(unmark(NEW_UID), deletes(SHARED, "ours")),
          List.of(normal(Names.REASON_UPF_REMOVED, NEW_UID)), DONE));
      rows.add(new Row(Mode.PER_SLICE, Holder.PREVIOUS, detached, concat(deletes(SHARED, "prev"), unmark(OLD_UID)),
          List.of(normal(Names.REASON_UPF_REMOVED, OLD_UID)), DONE));
      rows.add(new Row(Mode.PER_SLICE, Holder.FOREIGN, detached, NOTHING, NOTHING, DONE));
      rows.add(new Row(Mode.PER_SLICE, Holder.ABSENT, detached, NOTHING, NOTHING, DONE));
    }

    rows.add(new Row(Mode.PER_SLICE, Holder.OURS, Ue.DELETED, concat(deletes(SHARED, "ours"), unmark(NEW_UID)),
        List.of(normal(Names.REASON_UPF_REMOVED, NEW_UID)), DONE));
    rows.add(new Row(Mode.PER_SLICE, Holder.PREVIOUS, Ue.DELETED, concat(deletes(SHARED, "prev"), unmark(OLD_UID)),
        List.of(normal(Names.REASON_UPF_REMOVED, OLD_UID)), DONE));
    rows.add(new Row(Mode.PER_SLICE, Holder.FOREIGN, Ue.DELETED, NOTHING, NOTHING, DONE));
    rows.add(new Row(Mode.PER_SLICE, Holder.ABSENT, Ue.DELETED, NOTHING, NOTHING, DONE));
    return rows;
  }

  @TestFactory
  Stream<DynamicTest> oneReconcile() {
    List<Row> rows = rows();
    assertEquals(Mode.values().length * Holder.values().length * Ue.values().length, rows.size(), "every combination once");
    assertEquals(rows.size(), rows.stream().map(Row::name).distinct().count(), "no combination twice");
    return rows.stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> run(row)));
  }

  private static void run(Row row) {
    ReconcileHarness h = new ReconcileHarness(row.mode() == Mode.PER_SLICE ? Map.of("UPF_MODE", "per-slice") : Map.of());
    String upf = row.mode() == Mode.PER_UE ? UPF : SHARED;
    String block = h.firstSubnet("oai");
    if (row.ue().pod != null) {
      h.addPod(UE, NEW_UID, row.ue().pod, row.holder() == Holder.OURS ? upf : null);
    }
    KubernetesObject squatter = null;
    switch (row.holder()) {
      case OURS, PREVIOUS -> {
        String uid = row.holder() == Holder.OURS ? NEW_UID : OLD_UID;
        String tag = row.holder() == Holder.OURS ? "ours" : "prev";
        if (row.mode() == Mode.PER_UE) {
          h.addPerUeUpf(UE, uid, tag, block);
        } else {
          h.addSharedUpf(List.of(new UeRef(NS, UE, uid)), tag, block);
        }
      }
      case FOREIGN -> squatter = h.addSquatter("Deployment", upf);
      case ABSENT -> { }
    }

    Result result = h.reconcile(UE);

    KubernetesObject squatterAfter = squatter;
    assertAll(row.name(),
        () -> assertEquals(row.writes(), h.writer.described(), "writes"),
        () -> assertEquals(row.events(), h.events.described(), "events"),
        () -> assertEquals(row.result(), result, "result"),
        () -> assertEquals(List.of(NS + "/" + UE + " ok"), h.outcomes, "reconcile outcome"),
        // Whatever the row: a squatter is never written or deleted, and no object is written for the old pod.
        () -> assertFalse(h.writer.described().stream().anyMatch(w -> w.contains("squatter")), "squatter touched"),
        () -> {
          if (squatterAfter != null) {
            assertSame(squatterAfter, h.cached("Deployment", upf), "squatter still there, unchanged");
          }
        },
        () -> {
          for (RecordingUpfWriter.Call c : h.writer.calls()) {
            if (c instanceof RecordingUpfWriter.Apply a) {
              List<String> owners = a.object().getMetadata().getOwnerReferences().stream()
                  .map(V1OwnerReference::getUid).toList();
              assertEquals(List.of(NEW_UID), owners, "owners of the applied " + a.describe());
            }
          }
        });
  }

  // ---- how rows spell writes and events ----

  private static List<String> applies(String name) {
    return List.of("apply ConfigMap " + name, "apply Deployment " + name, "apply Service " + name);
  }

  /** Deletes of the three objects, each with the uid the cache shows for it ({@code tag}-Kind). */
  private static List<String> deletes(String name, String tag) {
    return List.of("delete ConfigMap " + name + " uid=" + tag + "-ConfigMap",
        "delete Deployment " + name + " uid=" + tag + "-Deployment",
        "delete Service " + name + " uid=" + tag + "-Service");
  }

  private static List<String> mark(String uid, String upf) {
    return List.of("mark " + UE + " uid=" + uid + " {" + Names.ANNOTATION_UPF + "=" + upf + ", "
        + Names.ANNOTATION_UPF_READY + "=true}");
  }

  private static List<String> unmark(String uid) {
    return List.of("unmark " + UE + " uid=" + uid);
  }

  private static String normal(String reason, String uid) {
    return "Normal " + reason + " on " + UE + "/" + uid;
  }

  private static String warning(String reason, String uid) {
    return "Warning " + reason + " on " + UE + "/" + uid;
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    return Stream.of(parts).flatMap(List::stream).toList();
  }
}
