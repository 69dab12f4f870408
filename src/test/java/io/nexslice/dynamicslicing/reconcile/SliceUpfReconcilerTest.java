package io.nexslice.dynamicslicing.reconcile;

import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.NEW_UID;
import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.NS;
import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.UE;
import static io.nexslice.dynamicslicing.reconcile.UpfReconcilerTest.applies;
import static io.nexslice.dynamicslicing.reconcile.UpfReconcilerTest.deletes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.reconcile.ReconcileHarness.PodState;
import io.nexslice.dynamicslicing.slice.SliceGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-slice mode (SliceUpfReconciler), beyond one reconcile of one UE. */
class SliceUpfReconcilerTest {
  private static final Result DONE = new Result(false);

  private final ReconcileHarness h = new ReconcileHarness(Map.of("UPF_MODE", "per-slice"));
  private final String shared = h.sharedUpf();

  @Test
  void aSecondUeJoinsTheSlicesUpfAndOnlyItIsTold() {
    h.addSharedUpf(List.of(new UeRef(NS, UE, NEW_UID)), "ours", h.firstSubnet("oai"));
    h.addPod(UE, NEW_UID, PodState.READY, shared);
    h.addPod("ue2", "uid-2", PodState.READY, null);

    assertEquals(DONE, h.reconcile("ue2"));
    assertEquals(List.of("apply ConfigMap " + shared, "apply Deployment " + shared, "apply Service " + shared,
        "mark ue2 uid=uid-2 {nexslice.io/upf=" + shared + ", nexslice.io/upf-ready=true}"), h.writer.described());
    assertEquals(List.of("Normal UeJoinedSliceUpf on ue2/uid-2"), h.events.described());
    V1Deployment d = (V1Deployment) ((RecordingUpfWriter.Apply) h.writer.calls().get(1)).object();
    assertEquals(List.of("ue1/uid-new/false", "ue2/uid-2/false"), d.getMetadata().getOwnerReferences().stream()
        .map(r -> r.getName() + "/" + r.getUid() + "/" + r.getController()).toList(),
        "every member an owner, none the controller: the UPF goes with its last UE");
    assertEquals("2", d.getMetadata().getAnnotations().get(Names.ANNOTATION_UE_COUNT));
  }

  @Test
  void aUeThatLeavesIsDroppedFromTheOwnersAndTheUpfStaysForTheOthers() {
    h.addSharedUpf(List.of(new UeRef(NS, UE, NEW_UID), new UeRef(NS, "ue2", "uid-2")), "ours", h.firstSubnet("oai"));
    h.addPod(UE, NEW_UID, PodState.READY, shared);
    h.addPod("ue2", "uid-2", PodState.TERMINATING, shared);

    assertEquals(DONE, h.reconcile("ue2"));
    assertEquals(List.of("unmark ue2 uid=uid-2", "apply ConfigMap " + shared, "apply Deployment " + shared,
        "apply Service " + shared), h.writer.described());
    assertEquals(List.of("Normal UeLeftSliceUpf on ue2/uid-2"), h.events.described());
    V1Deployment d = (V1Deployment) ((RecordingUpfWriter.Apply) h.writer.calls().get(2)).object();
    assertEquals(List.of(NEW_UID), d.getMetadata().getOwnerReferences().stream().map(V1OwnerReference::getUid).toList());
  }

  /** Switching from per-UE to per-slice: the UE's own UPF goes once the shared one is in the cache. */
  @Test
  void aPerUeUpfLeftFromPerUeModeGoesOnceTheSlicesUpfExists() {
    h.addPod(UE, NEW_UID, PodState.READY, null);
    h.addPerUeUpf(UE, NEW_UID, "own", h.firstSubnet("oai"));

    assertEquals(new Result(true, Duration.ofSeconds(1)), h.reconcile(UE), "looks again for the shared UPF");
    assertEquals(applies(shared), h.writer.described(), "its own UPF stays meanwhile");
    assertEquals(List.of("Normal UeJoinedSliceUpf on ue1/uid-new"), h.events.described());

    h.deliver();
    assertEquals(DONE, h.reconcile(UE));
    assertEquals(deletes(ReconcileHarness.upfOf(UE), "own"), h.writer.described().subList(3, 6));
  }

  /** Switching from per-UE to per-slice with free5GC: the slice's /24 is clear of the /29 kept meanwhile. */
  @Test
  void theSlicesBlockAvoidsThePerUeBlocksLeftFromPerUeMode() {
    ReconcileHarness free5gc = new ReconcileHarness(Map.of("UPF_MODE", "per-slice", "UPF_PROFILE", "free5gc"));
    free5gc.addPod(UE, NEW_UID, PodState.READY, null);
    free5gc.addPerUeUpf(UE, NEW_UID, "own", "12.2.0.0/29");

    assertEquals(new Result(true, Duration.ofSeconds(1)), free5gc.reconcile(UE));
    V1Deployment d = (V1Deployment) ((RecordingUpfWriter.Apply) free5gc.writer.calls().get(1)).object();
    assertEquals("12.2.1.0/24", d.getMetadata().getAnnotations().get(Names.ANNOTATION_POOL),
        "12.2.0.0/24 holds the per-UE UPF's /29 until it goes");
  }

  @Test
  void theGroupKeyRemovesTheUpfOnceNoUeIsLeft() {
    h.addSharedUpf(List.of(new UeRef(NS, UE, NEW_UID)), "ours", h.firstSubnet("oai"));

    assertEquals(DONE, h.reconcile(new SliceGroup(NS, h.defaultSlice()).request()));
    assertEquals(List.of("delete ConfigMap " + shared + " uid=ours-ConfigMap",
        "delete Deployment " + shared + " uid=ours-Deployment", "delete Service " + shared + " uid=ours-Service",
        "unmark ue1 uid=uid-new"), h.writer.described());
    assertEquals(List.of("Normal UpfRemoved on ue1/uid-new"), h.events.described());
  }

  @Test
  void aSquatterOnTheSharedNameIsLeftAloneAndTheGroupWaitsForTheName() {
    h.addPod(UE, NEW_UID, PodState.READY, null);
    h.addPod("ue2", "uid-2", PodState.READY, null);
    h.addSquatter("Service", shared);

    assertEquals(DONE, h.reconcile(UE));
    assertEquals(List.of(), h.writer.described());
    assertEquals(List.of("Warning UpfNameTaken on ue1/uid-new", "Warning UpfNameTaken on ue2/uid-2"), h.events.described());
    assertEquals(new SliceGroup(NS, h.defaultSlice()).request(), h.claims.waitingFor(NS, shared));

    h.remove("Service", shared);
    assertEquals(DONE, h.reconcile(new SliceGroup(NS, h.defaultSlice()).request()));
    assertEquals(applies(shared), h.writer.described());
    assertEquals(null, h.claims.waitingFor(NS, shared));
  }
}
