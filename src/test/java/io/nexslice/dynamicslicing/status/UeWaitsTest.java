package io.nexslice.dynamicslicing.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.pool.UeKey;
import io.nexslice.dynamicslicing.status.UeWaits.Wait;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who waits comes from the caches (pods and our Deployments), why from what the reconcilers said. */
class UeWaitsTest {
  private static final OffsetDateTime READY_AT = OffsetDateTime.parse("2026-01-01T10:00:00Z");

  private final UeWaits waits = new UeWaits();

  static V1Pod ue(String name, String ready) {
    return new V1Pod().metadata(new V1ObjectMeta().namespace("ns").name(name).uid(name + "-uid"))
        .status(new V1PodStatus().phase("Running").conditions(List.of(
            new V1PodCondition().type("Ready").status(ready).lastTransitionTime(READY_AT))));
  }

  static V1Deployment upfOf(String name, String... ownerUids) {
    List<V1OwnerReference> owners = new ArrayList<>();
    for (String uid : ownerUids) {
      owners.add(new V1OwnerReference().apiVersion("v1").kind("Pod").name("any").uid(uid).controller(owners.isEmpty()));
    }
    return new V1Deployment().metadata(new V1ObjectMeta().namespace("ns").name(name)
        .labels(Map.of(Names.LABEL_MANAGED_BY, Names.CONTROLLER)).ownerReferences(owners));
  }

  private static Wait wait(String ue, String reason) {
    return new Wait("ns", ue, reason, Optional.of(READY_AT));
  }

  @Test
  void aReadyUeThatNoUpfListsWaitsWithTheReasonTheReconcilerGave() {
    waits.waiting(new UeKey("ns", "ue-1"), Names.REASON_POOL_EXHAUSTED);
    assertEquals(List.of(wait("ue-1", Names.REASON_POOL_EXHAUSTED)), waits.find(List.of(ue("ue-1", "True")), List.of()));
  }

  @Test
  void aReadyUeThatNoUpfListsAndNobodyExplainedWaitsAsPending() {
    assertEquals(List.of(wait("ue-1", Names.WAIT_UNEXPLAINED)), waits.find(List.of(ue("ue-1", "True")), List.of()));
  }

  @Test
  void aUeListedByItsOwnUpfOrASharedOneDoesNotWait() {
    List<V1Pod> pods = List.of(ue("ue-1", "True"), ue("ue-2", "True"), ue("ue-3", "True"));
    List<V1Deployment> upfs = List.of(upfOf("upf-ue-1", "ue-1-uid"), upfOf("upf-sst1-ffffff-oai", "ue-2-uid", "ue-3-uid"));
    assertEquals(List.of(), waits.find(pods, upfs));
  }

  @Test
  void aUpfOfAnEarlierPodOfTheSameNameOrOfSomeoneElseServesNobody() {
    V1Deployment earlierPod = upfOf("upf-ue-1", "old-uid");
    V1Deployment notOurs = upfOf("upf-ue-2", "ue-2-uid");
    notOurs.getMetadata().setLabels(Map.of());
    List<Wait> found = waits.find(List.of(ue("ue-1", "True"), ue("ue-2", "True")), List.of(earlierPod, notOurs));
    assertEquals(List.of(wait("ue-1", Names.WAIT_UNEXPLAINED), wait("ue-2", Names.WAIT_UNEXPLAINED)), found);
  }

  @Test
  void aUeWithAUpfTheSmfRefusedWaitsUntilTheReconcilerSaysItIsServed() {
    UeKey key = new UeKey("ns", "ue-1");
    List<V1Pod> pods = List.of(ue("ue-1", "True"));
    List<V1Deployment> upfs = List.of(upfOf("upf-ue-1", "ue-1-uid"));
    waits.waiting(key, Names.REASON_NOT_REGISTERED);
    assertEquals(List.of(wait("ue-1", Names.REASON_NOT_REGISTERED)), waits.find(pods, upfs));
    waits.notWaiting(key);
    assertEquals(List.of(), waits.find(pods, upfs));
  }

  @Test
  void aUeThatIsNotReadyTerminatingOrEndedNeedsNoUpfWhateverWasSaidBefore() {
    V1Pod notReady = ue("ue-1", "False");
    V1Pod terminating = ue("ue-2", "True");
    terminating.getMetadata().setDeletionTimestamp(OffsetDateTime.now());
    V1Pod ended = ue("ue-3", "True");
    ended.getStatus().setPhase("Failed");
    for (String name : List.of("ue-1", "ue-2", "ue-3")) {
      waits.waiting(new UeKey("ns", name), Names.REASON_LIMIT_REACHED);
    }
    assertEquals(List.of(), waits.find(List.of(notReady, terminating, ended), List.of()));
  }

  @Test
  void aUeKeptThroughAReadinessFlapButRefusedBySmfStillWaits() {
    waits.waiting(new UeKey("ns", "ue-1"), Names.REASON_NOT_REGISTERED);
    List<Wait> found = waits.find(List.of(ue("ue-1", "False")), List.of(upfOf("upf-ue-1", "ue-1-uid")));
    assertEquals(List.of(new Wait("ns", "ue-1", Names.REASON_NOT_REGISTERED, Optional.empty())), found);
  }

  @Test
  void halfEmptyObjectsAreSkippedOrReadAsUnknownNeverACrash() {
    V1Pod noStatus = new V1Pod().metadata(new V1ObjectMeta().namespace("ns").name("ue-1"));
    V1Pod noMetadata = new V1Pod();
    V1Pod readyWithoutTime = new V1Pod().metadata(new V1ObjectMeta().namespace("ns").name("ue-2"))
        .status(new V1PodStatus().conditions(List.of(new V1PodCondition().type("Ready").status("True"))));
    V1Deployment bare = new V1Deployment().metadata(new V1ObjectMeta().labels(Map.of(Names.LABEL_MANAGED_BY, Names.CONTROLLER)));
    V1Deployment noOwnerUid = upfOf("upf-x");
    noOwnerUid.getMetadata().setOwnerReferences(List.of(new V1OwnerReference().kind("Pod").name("ue-2")));
    List<Wait> found = waits.find(List.of(noStatus, noMetadata, readyWithoutTime), List.of(bare, noOwnerUid, new V1Deployment()));
    assertEquals(List.of(new Wait("ns", "ue-2", Names.WAIT_UNEXPLAINED, Optional.empty())), found);
  }
}
