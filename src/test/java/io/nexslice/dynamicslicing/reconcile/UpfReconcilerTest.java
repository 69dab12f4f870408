package io.nexslice.dynamicslicing.reconcile;

import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.NEW_UID;
import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.NS;
import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.OLD_UID;
import static io.nexslice.dynamicslicing.reconcile.ReconcileHarness.UE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.Ownership;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.reconcile.ReconcileHarness.PodState;
import io.nexslice.dynamicslicing.slice.SliceGroup;
import io.nexslice.dynamicslicing.smf.SmfNode;
import io.nexslice.dynamicslicing.smf.UpfRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Per-UE mode (UpfReconciler), beyond one reconcile: sequences, squatters, pools, budgets, errors. */
class UpfReconcilerTest {
  private static final String UPF = ReconcileHarness.upfOf(UE);
  private static final Result DONE = new Result(false);

  private final ReconcileHarness h = new ReconcileHarness(Map.of());

  @Test
  void aNewPodOfTheSameNameGetsItsOwnUpfOnlyOnceTheOldOnesIsGone() {
    h.addPerUeUpf(UE, OLD_UID, "prev", h.firstSubnet("oai"));
    h.addPod(UE, NEW_UID, PodState.READY, null);

    assertEquals(new Result(true, Duration.ofSeconds(1)), h.reconcile(UE), "looks again while the old UPF goes");
    assertEquals(deletes(UPF, "prev"), h.writer.described(), "the old pod's objects, each under its own uid");
    assertEquals(List.of(), h.events.described());

    h.deliver();
    assertEquals(DONE, h.reconcile(UE));
    assertEquals(applies(UPF), newWrites(3), "a fresh UPF, not the old one taken over");
    assertEquals(List.of("Normal UpfCreated on ue1/uid-new"), h.events.described());
    for (RecordingUpfWriter.Call c : h.writer.calls().subList(3, 6)) {
      KubernetesObject o = ((RecordingUpfWriter.Apply) c).object();
      assertEquals(NEW_UID, Ownership.controllerPod(o).orElseThrow().getUid(), o.getKind() + " controlled by the new pod");
    }

    h.deliver();
    assertEquals(DONE, h.reconcile(UE));
    assertEquals(6, h.writer.calls().size(), "in the cache as desired, no replica yet: nothing to do");

    h.makeAvailable(UPF);
    assertEquals(DONE, h.reconcile(UE));
    assertEquals(List.of("mark ue1 uid=uid-new {nexslice.io/upf=upf-ue1, nexslice.io/upf-ready=true}"), newWrites(6),
        "the UE is told to open its session once a replica is available");

    h.deliver();
    assertEquals(DONE, h.reconcile(UE));
    assertEquals(7, h.writer.calls().size(), "steady state: a resync writes nothing");
    assertEquals(1, h.events.described().size());

    h.remove("Pod", UE);
    assertEquals(DONE, h.reconcile(UE));
    assertEquals(Stream.concat(deletes(UPF, "uid").stream(), Stream.of("unmark ue1 uid=uid-new")).toList(), newWrites(7));
    assertEquals("Normal UpfRemoved on ue1/uid-new", last(h.events.described()));
    assertTrue(last(h.events.events()).message().endsWith("UE pod gone or no longer selected"), last(h.events.events()).message());
  }

  /** Objects holding our name that are not ours, however close they look: never adopted, never deleted. */
  @Test
  void aSquatterIsNeverAdoptedNorDeletedAndItsUeWaitsForTheName() {
    List<String> failures = new ArrayList<>();
    Map<String, Squat> squats = Map.of(
        "an unlabelled Service", hh -> hh.addSquatter("Service", UPF),
        "an unlabelled ConfigMap", hh -> hh.addSquatter("ConfigMap", UPF),
        "our label, controlled by another pod", hh -> hh.add(deployment(true, "ue2", NEW_UID)),
        "controlled by an earlier ue1, without our label", hh -> hh.add(deployment(false, UE, OLD_UID)),
        "owned by ue1 but not as its controller", hh -> {
          V1Deployment d = deployment(true, UE, NEW_UID);
          d.getMetadata().getOwnerReferences().get(0).controller(false);
          hh.add(d);
        });
    squats.forEach((what, squat) -> {
      ReconcileHarness hh = new ReconcileHarness(Map.of());
      hh.addPod(UE, NEW_UID, PodState.READY, null);
      squat.on(hh);
      String kind = what.contains("Service") ? "Service" : what.contains("ConfigMap") ? "ConfigMap" : "Deployment";
      KubernetesObject squatter = hh.cached(kind, UPF);

      Result attached = hh.reconcile(UE);
      check(failures, what + ": result", DONE, attached);
      check(failures, what + ": writes", List.of(), hh.writer.described());
      check(failures, what + ": events", List.of("Warning UpfNameTaken on ue1/uid-new"), hh.events.described());
      check(failures, what + ": message", true, hh.events.events().stream().findFirst()
          .map(e -> e.message().startsWith(kind + " " + UPF + " already exists")).orElse(false));
      check(failures, what + ": the UE waits for the name", new Request(NS, UE), hh.claims.waitingFor(NS, UPF));

      hh.remove("Pod", UE); // the UE goes: its UPF would go, the squatter stays
      check(failures, what + ": detach", DONE, hh.reconcile(UE));
      check(failures, what + ": writes after detach", List.of(), hh.writer.described());
      check(failures, what + ": still there", true, squatter == hh.cached(kind, UPF));
      check(failures, what + ": no one waits", null, hh.claims.waitingFor(NS, UPF));
    });
    assertEquals(List.of(), failures);
  }

  @Test
  void onceTheSquatterIsGoneTheUeGetsItsUpfAndNoLongerWaits() {
    h.addPod(UE, NEW_UID, PodState.READY, null);
    h.addSquatter("Deployment", UPF);
    h.reconcile(UE);
    assertEquals(new Request(NS, UE), h.claims.waitingFor(NS, UPF));

    h.remove("Deployment", UPF); // its deletion wakes the UE through the claim (OwnerKeys)
    assertEquals(DONE, h.reconcile(UE));
    assertEquals(applies(UPF), h.writer.described());
    assertEquals(List.of("Warning UpfNameTaken on ue1/uid-new", "Normal UpfCreated on ue1/uid-new"), h.events.described());
    assertNull(h.claims.waitingFor(NS, UPF));
  }

  @Test
  void anObjectChangedByHandIsWrittenBackAndTheUpdateSaysWhat() {
    h.addPod(UE, NEW_UID, PodState.READY, UPF);
    h.addPerUeUpf(UE, NEW_UID, "ours", h.firstSubnet("oai"));
    ((V1Deployment) h.cached("Deployment", UPF)).getSpec().replicas(3);

    assertEquals(DONE, h.reconcile(UE));
    assertEquals(List.of("apply Deployment " + UPF), h.writer.described());
    assertEquals(List.of("Normal UpfUpdated on ue1/uid-new"), h.events.described());
    assertTrue(h.events.events().get(0).message().contains("Deployment (spec.replicas)"), h.events.events().get(0).message());
  }

  @Test
  void aReconcileBeforeOurWritesReachTheCacheWritesNothingAgain() {
    h.addPod(UE, NEW_UID, PodState.READY, null);
    h.reconcile(UE);
    assertEquals(applies(UPF), h.writer.described());

    assertEquals(DONE, h.reconcile(UE), "the echoes of the writes will wake the UE");
    assertEquals(3, h.writer.calls().size(), "no second apply of what is on its way");
    assertEquals(1, h.events.described().size(), "no UpfUpdated for our own write");

    h.deliver();
    assertEquals(DONE, h.reconcile(UE));
    assertEquals(3, h.writer.calls().size());
  }

  /** The watch delivers the echoes of the applies so far of the kinds {@code which} picks, and drops them. */
  private void dropEchoes(Predicate<String> which) {
    for (RecordingUpfWriter.Call c : h.writer.calls()) {
      RecordingUpfWriter.Apply a = (RecordingUpfWriter.Apply) c;
      if (which.test(a.object().getKind())) {
        assertTrue(h.expectations.dropEcho(a.object().getKind(), NS, UPF, a.resourceVersion()));
      }
    }
  }

  @Test
  void aReconcileWhoseSnapshotMissedADroppedEchoRunsAgainAtOnce() {
    h.addPod(UE, NEW_UID, PodState.READY, null);
    h.reconcile(UE);
    // The echoes arrive while no reconcile waits for them: the watch drops them (NamespaceController).
    dropEchoes(kind -> true);
    // A reconcile that read its snapshot before they reached the cache: nothing would wake the UE again.
    assertEquals(new Result(true, Duration.ofMillis(10)), h.reconcile(UE));
    assertEquals(3, h.writer.calls().size());

    h.deliver();
    assertEquals(DONE, h.reconcile(UE));
    assertEquals(3, h.writer.calls().size());
  }

  @Test
  void aUeRefusedBeforeItsNewUpfReachedTheCacheStillLosesIt() {
    h.addPod(UE, NEW_UID, PodState.READY, null);
    h.reconcile(UE);
    // Two echoes came and were dropped (no reconcile waited); none of the writes is cached yet.
    dropEchoes(kind -> !kind.equals("Deployment"));
    V1Pod refused = ReconcileHarness.pod(UE, NEW_UID, PodState.READY, null, 0);
    refused.getMetadata().putAnnotationsItem("nexslice.io/sst", "one");
    h.add(refused);

    // Nothing of the UPF is in this snapshot to delete: the reconcile must look again, or the
    // objects arriving later would stay (their echoes dropped or, for the Deployment, expected).
    assertEquals(new Result(true, Duration.ofMillis(10)), h.reconcile(UE));
    RecordingUpfWriter.Apply deployment = (RecordingUpfWriter.Apply) h.writer.calls().get(1);
    assertFalse(h.expectations.dropEcho("Deployment", NS, UPF, deployment.resourceVersion()),
        "the Deployment's echo must wake the UE");

    h.deliver();
    assertEquals(DONE, h.reconcile(UE));
    assertEquals(List.of("ConfigMap", "Deployment", "Service"), h.writer.calls().stream()
        .filter(c -> c instanceof RecordingUpfWriter.Delete).map(c -> ((RecordingUpfWriter.Delete) c).kind()).sorted().toList());
  }

  @Test
  void withPoolBlocksEachUpfHoldsItsOwnBlockAndKeepsItAcrossARestart() {
    ReconcileHarness free5gc = new ReconcileHarness(Map.of("UPF_PROFILE", "free5gc", "UPF_POOL_CIDR", "10.9.0.0/22",
        "UPF_POOL_BLOCK_PREFIX", "24"));
    free5gc.addPerUeUpf("ue0", "uid-0", "ue0", "10.9.0.0/24");
    free5gc.addPod("ue0", "uid-0", PodState.READY, "upf-ue0");
    free5gc.addPerUeUpf(UE, NEW_UID, "ours", "10.9.2.0/24"); // not the first free block: chosen before a restart
    free5gc.addPod(UE, NEW_UID, PodState.READY, UPF);
    free5gc.addPod("ue2", "uid-2", PodState.READY, null);

    assertEquals(DONE, free5gc.reconcile(UE));
    assertEquals(List.of(), free5gc.writer.described(), "keeps 10.9.2.0/24");
    assertEquals(DONE, free5gc.reconcile("ue2"));
    assertEquals(applies(ReconcileHarness.upfOf("ue2")), free5gc.writer.described());
    V1Deployment d = (V1Deployment) ((RecordingUpfWriter.Apply) free5gc.writer.calls().get(1)).object();
    assertEquals("10.9.1.0/24", d.getMetadata().getAnnotations().get(Names.ANNOTATION_POOL), "the first block no one holds");
  }

  @Test
  void aUpfRecordingABlockOfAnotherSizeKeepsItAndNoNewBlockOverlapsIt() {
    // Blocks of /24 written before the block size changed (the per-UE default became /29).
    ReconcileHarness free5gc = new ReconcileHarness(Map.of("UPF_PROFILE", "free5gc", "UPF_POOL_CIDR", "10.9.0.0/22",
        "UPF_POOL_BLOCK_PREFIX", "26"));
    free5gc.addPerUeUpf(UE, NEW_UID, "ours", "10.9.0.0/24");
    free5gc.addPod(UE, NEW_UID, PodState.READY, UPF);
    free5gc.addPod("ue2", "uid-2", PodState.READY, null);

    assertEquals(DONE, free5gc.reconcile(UE));
    assertEquals(List.of(), free5gc.writer.described(), "the live UPF keeps its /24: nothing rewritten");
    assertEquals(List.of(), free5gc.events.described());
    assertEquals(DONE, free5gc.reconcile("ue2"));
    V1Deployment d = (V1Deployment) ((RecordingUpfWriter.Apply) free5gc.writer.calls().get(1)).object();
    assertEquals("10.9.1.0/26", d.getMetadata().getAnnotations().get(Names.ANNOTATION_POOL), "the first /26 past the /24");
  }

  @Test
  void aUpfWhosePoolCannotBeKeptMovesWithAWarning() {
    ReconcileHarness free5gc = new ReconcileHarness(Map.of("UPF_PROFILE", "free5gc", "UPF_POOL_CIDR", "10.9.0.0/22"));
    free5gc.addPerUeUpf(UE, NEW_UID, "ours", "10.8.0.0/24"); // UPF_POOL_CIDR changed since
    free5gc.addPod(UE, NEW_UID, PodState.READY, UPF);

    assertEquals(DONE, free5gc.reconcile(UE));
    assertEquals(List.of("Normal UpfUpdated on ue1/uid-new", "Warning UpfPoolMoved on ue1/uid-new"), free5gc.events.described());
    String message = free5gc.events.events().get(1).message();
    assertTrue(message.startsWith("Moved UPF upf-ue1 to UE pool 10.9.0.0/29: its pool 10.8.0.0/24 is"
        + " not a block of UPF_POOL_CIDR (10.9.0.0/22 in /29 blocks)"), message);
    free5gc.deliver();
    assertEquals(DONE, free5gc.reconcile(UE));
    assertEquals(2, free5gc.events.described().size(), "said once");
  }

  @Test
  void whenThePoolIsExhaustedTheUeWaitsWithAWarning() {
    ReconcileHarness free5gc = new ReconcileHarness(Map.of("UPF_PROFILE", "free5gc", "UPF_POOL_CIDR", "10.9.0.0/24"));
    free5gc.addPerUeUpf("ue0", "uid-0", "ue0", "10.9.0.0/24"); // a /24 from before the /29 default: all 32 blocks
    free5gc.addPod("ue0", "uid-0", PodState.READY, null);
    free5gc.addPod(UE, NEW_UID, PodState.READY, null);

    assertEquals(new Result(true, Duration.ofSeconds(5)), free5gc.reconcile(UE));
    assertEquals(List.of(), free5gc.writer.described());
    assertEquals(List.of("Warning UpfPoolExhausted on ue1/uid-new"), free5gc.events.described());
  }

  @Test
  void pastTheSlicesBudgetTheUeWaitsAndIsWarnedOnce() {
    ReconcileHarness one = new ReconcileHarness(Map.of("UPF_MAX_PER_SLICE", "1"));
    one.addPerUeUpf("ue0", "uid-0", "ue0", one.firstSubnet("oai"));
    one.addPod("ue0", "uid-0", PodState.READY, null);
    one.addPod(UE, NEW_UID, PodState.READY, null);

    assertEquals(new Result(true, Duration.ofSeconds(5)), one.reconcile(UE));
    assertEquals(new Result(true, Duration.ofSeconds(5)), one.reconcile(UE));
    assertEquals(List.of(), one.writer.described());
    assertEquals(List.of("Warning UpfLimitReached on ue1/uid-new"), one.events.described(), "once per wait");

    one.remove("Deployment", "upf-ue0");
    assertEquals(new Result(true, Duration.ofSeconds(5)), one.reconcile(UE),
        "the free slot is for ue0, Ready before ue1 and without a UPF now");
    assertEquals(List.of(), one.writer.described());

    one.remove("Pod", "ue0"); // ue0 is gone: the slot is ue1's
    assertEquals(DONE, one.reconcile(UE));
    assertEquals(applies(UPF), one.writer.described());
  }

  @Test
  void anInvalidSliceRemovesTheUpfTheUeHad() {
    V1Pod pod = h.addPod(UE, NEW_UID, PodState.READY, UPF);
    pod.getMetadata().getAnnotations().put(Names.ANNOTATION_SST, "one");
    h.addPerUeUpf(UE, NEW_UID, "ours", h.firstSubnet("oai"));

    assertEquals(DONE, h.reconcile(UE));
    assertEquals(Stream.concat(deletes(UPF, "ours").stream(), Stream.of("unmark ue1 uid=uid-new")).toList(),
        h.writer.described());
    assertEquals(List.of("Warning UeSliceInvalid on ue1/uid-new"), h.events.described());
    assertTrue(h.events.events().get(0).message().startsWith("UPF removed until fixed"));
  }

  @Test
  void anSmfThatWillNotForgetTheUpfKeepsTheKeyComing() {
    ReconcileHarness smf = new ReconcileHarness(Map.of("UPF_PROFILE", "free5gc"), new RefusingRegistry());
    smf.addPerUeUpf(UE, NEW_UID, "ours", smf.firstSubnet("oai"));

    assertEquals(new Result(true), smf.reconcile(UE), "the pod is gone: retried with backoff");
    assertEquals(Stream.concat(deletes(UPF, "ours").stream(), Stream.of("unmark ue1 uid=uid-new")).toList(),
        smf.writer.described());
    assertEquals(List.of("Normal UpfRemoved on ue1/uid-new", "Warning UpfNotRegistered on ue1/uid-new"),
        smf.events.described());
    assertEquals(List.of("ns/ue1 smf_refused"), smf.outcomes);
  }

  @Test
  void apiErrorsAreRetriedExceptARejectedObject() {
    h.addPod(UE, NEW_UID, PodState.READY, null);
    h.writer.failNext(new ApiException(500, "etcd timeout"));
    assertEquals(new Result(true), h.reconcile(UE));
    assertEquals(List.of(), h.events.described(), "no UpfCreated for a UPF not written");

    ReconcileHarness rejected = new ReconcileHarness(Map.of());
    rejected.addPod(UE, NEW_UID, PodState.READY, null);
    rejected.writer.failNext(new ApiException(422, "invalid"));
    assertEquals(DONE, rejected.reconcile(UE), "requeueing cannot fix what the API server rejects");
    assertEquals(List.of("ns/ue1 api_error_500"), h.outcomes);
    assertEquals(List.of("ns/ue1 api_error_422"), rejected.outcomes);
  }

  /** Switching from per-slice to per-UE: the shared UPF goes only once its UE has a UPF of its own. */
  @Test
  void aSliceUpfLeftFromPerSliceModeGoesOnceItsUesHaveTheirOwn() {
    h.addPod(UE, NEW_UID, PodState.READY, null);
    h.addSharedUpf(List.of(new UeRef(NS, UE, NEW_UID)), "shared", h.firstSubnet("oai"));
    Request group = new SliceGroup(NS, h.defaultSlice()).request();

    assertEquals(new Result(true, Duration.ofSeconds(1)), h.reconcile(group), "ue1 would be without a UPF");
    assertEquals(List.of(), h.writer.described());

    h.reconcile(UE);
    h.deliver();
    assertEquals(DONE, h.reconcile(group));
    assertEquals(deletes(h.sharedUpf(), "shared"), h.writer.described().subList(3, 6));
  }

  // ---- helpers ----

  private interface Squat {
    void on(ReconcileHarness h);
  }

  private static V1Deployment deployment(boolean labelled, String controllerPod, String uid) {
    V1ObjectMeta meta = new V1ObjectMeta().namespace(NS).name(UPF).uid("squatter-Deployment").resourceVersion("7")
        .ownerReferences(List.of(new V1OwnerReference().apiVersion("v1").kind("Pod").name(controllerPod).uid(uid)
            .controller(true)));
    if (labelled) {
      meta.labels(Map.of(Names.LABEL_MANAGED_BY, Names.CONTROLLER));
    }
    return new V1Deployment().metadata(meta);
  }

  private static void check(List<String> failures, String what, Object expected, Object actual) {
    if (!Objects.equals(expected, actual)) {
      failures.add(what + ": expected " + expected + " but was " + actual);
    }
  }

  private List<String> newWrites(int from) {
    List<String> all = h.writer.described();
    return all.subList(from, all.size());
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }

  static List<String> applies(String name) {
    return List.of("apply ConfigMap " + name, "apply Deployment " + name, "apply Service " + name);
  }

  static List<String> deletes(String name, String tag) {
    return List.of("delete ConfigMap " + name + " uid=" + tag + "-ConfigMap",
        "delete Deployment " + name + " uid=" + tag + "-Deployment",
        "delete Service " + name + " uid=" + tag + "-Service");
  }

  /** An SMF that registers every UPF and refuses to forget any. */
  static final class RefusingRegistry implements UpfRegistry {
    @Override
    public Outcome register(SmfNode node) {
      return UpfRegistry.DONE;
    }

    @Override
    public Outcome deregister(String namespace, String upfName) {
      return new Refused("503 Service Unavailable");
    }

    @Override
    public int registeredCount() {
      return 0;
    }

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public String target() {
      return "http://smf.test";
    }
  }
}
