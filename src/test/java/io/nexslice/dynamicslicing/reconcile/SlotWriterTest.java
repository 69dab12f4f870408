package io.nexslice.dynamicslicing.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.Ownership.Owner;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UpfMark;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.profile.OaiUpfProfile;
import io.nexslice.dynamicslicing.slice.Slice;
import io.nexslice.dynamicslicing.write.ParallelWrites;
import io.nexslice.dynamicslicing.write.WriteExpectations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SlotWriterTest {
  private static final String NS = "ns";
  private static final String UPF = "upf-ue1";
  private static final String BLOCK = "12.1.1.0/24";

  private final RecordingUpfWriter writer = new RecordingUpfWriter((ns, name) -> null);
  private final WriteExpectations expectations = new WriteExpectations();
  private final SlotWriter slotWriter = new SlotWriter(new ApplyJson(new JSON()), writer, expectations, new ParallelWrites(Runnable::run));
  private final UpfDesiredState desiredState = new UpfDesiredState(new OaiUpfProfile(), Optional.empty(), 1,
      sst -> "oai-nrf");

  private UpfObjects desired() {
    return desiredState.build(new UeRef(NS, "ue1", "uid-1"), new Slice(1, Optional.of("FFFFFF"), "oai"), BLOCK);
  }

  /** What the cache holds once the desired objects were applied, with an available replica. */
  private UpfObjects cached() {
    UpfObjects upf = desired();
    upf.deployment().status(new V1DeploymentStatus().availableReplicas(1));
    for (KubernetesObject o : upf.all()) {
      o.getMetadata().uid("cached-" + o.getKind()).resourceVersion("5");
    }
    return upf;
  }

  private static List<Slot> slots(UpfObjects upf, Owner owner) {
    return List.of(new Slot("ConfigMap", upf.configMap(), owner), new Slot("Deployment", upf.deployment(), owner),
        new Slot("Service", upf.service(), owner));
  }

  private static List<Slot> absent() {
    return List.of(new Slot("ConfigMap", null, Owner.ABSENT), new Slot("Deployment", null, Owner.ABSENT),
        new Slot("Service", null, Owner.ABSENT));
  }

  @Test
  void absentSlotsAreWrittenConfigFirstAndAwaitedInTheCache() throws ApiException {
    SlotWriter.Applied applied = slotWriter.applyChanged(desired(), absent());
    assertEquals(List.of("ConfigMap", "Deployment", "Service"), applied.written());
    assertFalse(applied.recheck());
    assertTrue(applied.writesBegan() > 0 && applied.writesEnded() >= applied.writesBegan(), "writes timed");
    assertEquals(List.of("apply ConfigMap " + UPF, "apply Deployment " + UPF, "apply Service " + UPF), writer.described());
    String rv = ((RecordingUpfWriter.Apply) writer.calls().get(1)).resourceVersion();
    assertEquals(WriteExpectations.Wait.FOR_ECHO, expectations.waitFor("Deployment", NS, UPF, "5"));
    assertEquals(WriteExpectations.Wait.NONE, expectations.waitFor("Deployment", NS, UPF, rv));
  }

  @Test
  void echoesArrivingBeforeTheAnswersAreDroppedAndNeedNoSecondLook() throws ApiException {
    List<Boolean> dropped = new ArrayList<>();
    writer.duringApply((o, rv) -> dropped.add(expectations.dropEcho(o.getKind(), NS, o.getMetadata().getName(), rv)));
    SlotWriter.Applied applied = slotWriter.applyChanged(desired(), absent());
    assertEquals(List.of(true, true, true), dropped, "each echo is held back, then known as ours");
    assertFalse(applied.recheck(), "nothing but our own echoes arrived");
    String rv = ((RecordingUpfWriter.Apply) writer.calls().get(1)).resourceVersion();
    assertFalse(expectations.dropEcho("Deployment", NS, UPF, rv), "dropped once only");
    assertEquals(WriteExpectations.Wait.RECHECK, expectations.waitFor("Deployment", NS, UPF, "5"),
        "a snapshot read before the echo looks again instead of waiting for an echo already gone");
  }

  @Test
  void aChangeBySomeoneElseDuringAWriteMakesTheReconcileLookAgain() throws ApiException {
    writer.duringApply((o, rv) -> {
      if (o.getKind().equals("Service")) {
        // another writer's change, committed just before ours, arrives while ours is under way
        assertTrue(expectations.dropEcho("Service", NS, UPF, String.valueOf(Long.parseLong(rv) - 1)));
      }
    });
    assertTrue(slotWriter.applyChanged(desired(), absent()).recheck());
  }

  @Test
  void ourObjectsAsDesiredAreLeftAloneAndADriftedOneSaysWhatDiffers() throws ApiException {
    assertEquals(new SlotWriter.Applied(List.of(), false, 0, 0), slotWriter.applyChanged(desired(), slots(cached(), Owner.THIS_UE)));
    assertEquals(List.of(), writer.described());

    UpfObjects drifted = cached();
    drifted.service().getSpec().getPorts().get(0).port(9999);
    SlotWriter.Applied applied = slotWriter.applyChanged(desired(), slots(drifted, Owner.THIS_UE));
    assertEquals(1, applied.written().size());
    assertTrue(applied.written().get(0).startsWith("Service (spec.ports"), applied.written().toString());
    assertEquals(List.of("apply Service " + UPF), writer.described());
  }

  @Test
  void aSlotWhoseWriteIsNotInTheSnapshotIsSkippedAndAskedAgainWhenItsEchoWasDropped() throws ApiException {
    expectations.expect("Deployment", NS, UPF, "42");
    SlotWriter.Applied applied = slotWriter.applyChanged(desired(), absent());
    assertEquals(List.of("ConfigMap", "Service"), applied.written(), "the Deployment is on its way");
    assertFalse(applied.recheck());

    expectations.expect("Service", NS, UPF, "43");
    assertTrue(expectations.dropEcho("Service", NS, UPF, "43"));
    assertTrue(slotWriter.applyChanged(desired(), absent()).recheck());
  }

  @Test
  void foreignSlotsStandInTheWayUnlessTheUpfHasNoObjectOfThatKind() {
    V1ConfigMap theirs = new V1ConfigMap().metadata(new V1ObjectMeta().namespace(NS).name(UPF).uid("theirs"));
    List<Slot> slots = List.of(new Slot("ConfigMap", theirs, Owner.FOREIGN), new Slot("Deployment", null, Owner.ABSENT),
        new Slot("Service", null, Owner.ABSENT));
    assertEquals(List.of(slots.get(0)), SlotWriter.foreign(slots, desired()));
    UpfObjects withoutConfig = new UpfObjects(desired().deployment(), desired().service(), null);
    assertEquals(List.of(), SlotWriter.foreign(slots, withoutConfig));
    assertEquals(List.of(), SlotWriter.foreign(slots(cached(), Owner.THIS_UE), desired()));
    assertEquals(List.of(), SlotWriter.foreign(slots(cached(), Owner.PREVIOUS_UE), desired()));
  }

  @Test
  void aLiveUpfsChangedConfigMapIsWrittenBeforeItsDeploymentAndAFailureLeavesTheDeploymentAlone() throws ApiException {
    // On a pool, as the controller runs: only the ConfigMap-first rule keeps the order.
    try (ParallelWrites pooled = ParallelWrites.pooled(2)) {
      SlotWriter concurrent = new SlotWriter(new ApplyJson(new JSON()), writer, expectations, pooled);
      UpfObjects drifted = cached();
      drifted.configMap().putDataItem("config.yaml", "stale: true");
      drifted.deployment().getSpec().replicas(3);
      drifted.service().getSpec().getPorts().get(0).port(9999);
      for (int i = 0; i < 20; i++) {
        int before = writer.described().size();
        expectations.forget("ConfigMap", NS, UPF);
        expectations.forget("Deployment", NS, UPF);
        expectations.forget("Service", NS, UPF);
        concurrent.applyChanged(desired(), slots(drifted, Owner.THIS_UE));
        List<String> round = writer.described().subList(before, writer.described().size());
        assertEquals(3, round.size(), "round " + i + ": " + round);
        assertEquals("apply ConfigMap " + UPF, round.get(0), "round " + i + ": " + round);
      }
      int before = writer.described().size();
      expectations.forget("ConfigMap", NS, UPF);
      expectations.forget("Deployment", NS, UPF);
      expectations.forget("Service", NS, UPF);
      writer.failNext(new ApiException(500, "etcd timeout")); // the ConfigMap's write fails
      assertThrows(ApiException.class, () -> concurrent.applyChanged(desired(), slots(drifted, Owner.THIS_UE)));
      assertEquals(before, writer.described().size(), "no Deployment or Service change without the config: "
          + writer.described());
    }
  }

  @Test
  void ourConfigMapGoesWhenTheProfileNoLongerHasOneButNotSomeoneElses() throws ApiException {
    UpfObjects withoutConfig = new UpfObjects(desired().deployment(), desired().service(), null);
    SlotWriter.Applied applied = slotWriter.applyChanged(withoutConfig, slots(cached(), Owner.THIS_UE));
    assertEquals(List.of("ConfigMap removed"), applied.written());
    assertEquals(List.of("delete ConfigMap " + UPF + " uid=cached-ConfigMap"), writer.described());

    UpfObjects cached = cached();
    List<Slot> foreignConfig = List.of(new Slot("ConfigMap", cached.configMap(), Owner.FOREIGN),
        new Slot("Deployment", cached.deployment(), Owner.THIS_UE), new Slot("Service", cached.service(), Owner.THIS_UE));
    assertEquals(List.of(), slotWriter.applyChanged(withoutConfig, foreignConfig).written());
    assertEquals(1, writer.calls().size());
  }

  @Test
  void deleteTakesOnlyTheChosenSlotsEachUnderItsOwnUidAndForgetsOurWrites() throws ApiException {
    UpfObjects cached = cached();
    List<Slot> slots = List.of(new Slot("ConfigMap", cached.configMap(), Owner.PREVIOUS_UE),
        new Slot("Deployment", cached.deployment(), Owner.PREVIOUS_UE), new Slot("Service", cached.service(), Owner.FOREIGN));
    expectations.expect("Deployment", NS, UPF, "42");
    writer.alreadyGone("ConfigMap", UPF);

    List<String> deleted = slotWriter.delete(slots, s -> s.owner() == Owner.PREVIOUS_UE);
    assertEquals(List.of("Deployment"), deleted, "the ConfigMap was gone already");
    assertEquals(List.of("delete ConfigMap " + UPF + " uid=cached-ConfigMap", "delete Deployment " + UPF + " uid=cached-Deployment"),
        writer.described());
    assertEquals(WriteExpectations.Wait.NONE, expectations.waitFor("Deployment", NS, UPF, "5"));
    assertEquals(List.of(), slotWriter.delete(absent(), s -> true), "nothing to delete in an empty slot");
  }

  @Test
  void theMarkFollowsOnlyOurDeploymentWithAnAvailableReplica() {
    UpfObjects cached = cached();
    assertEquals(Optional.of(new UpfMark(UPF)), SlotWriter.markFor(UPF, slots(cached, Owner.THIS_UE)));
    assertEquals(Optional.empty(), SlotWriter.markFor(UPF, slots(cached, Owner.FOREIGN)));
    assertEquals(Optional.empty(), SlotWriter.markFor(UPF, slots(cached, Owner.PREVIOUS_UE)));
    cached.deployment().getStatus().availableReplicas(0);
    assertEquals(Optional.empty(), SlotWriter.markFor(UPF, slots(cached, Owner.THIS_UE)));
  }

  @Test
  void theCurrentBlockIsReadOnlyFromOurDeployment() {
    assertEquals(Optional.of(BLOCK), SlotWriter.currentBlock(slots(cached(), Owner.THIS_UE)));
    assertEquals(Optional.empty(), SlotWriter.currentBlock(slots(cached(), Owner.FOREIGN)));
    assertEquals(Optional.empty(), SlotWriter.currentBlock(slots(cached(), Owner.PREVIOUS_UE)));
    assertEquals(Optional.empty(), SlotWriter.currentBlock(absent()));
  }
}
