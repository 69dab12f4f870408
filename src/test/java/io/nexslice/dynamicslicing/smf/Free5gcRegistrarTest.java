package io.nexslice.dynamicslicing.smf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.nexslice.dynamicslicing.slice.Slice;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registrar over real HTTP against the free5GC stand-in (see its comment for what that proves). */
class Free5gcRegistrarTest {
  private static final Slice SLICE = new Slice(1, Optional.of("010203"), "internet");
  private Free5gcSmfStandIn smf;
  private Free5gcRegistrar registrar;

  @BeforeEach
  void start() throws Exception {
    smf = new Free5gcSmfStandIn("gNB1");
    registrar = new Free5gcRegistrar(new Free5gcSmfClient(smf.url()), "gNB1");
  }

  @AfterEach
  void stop() {
    smf.close();
  }

  private static SmfNode node(String upf, String pool) {
    return SmfNode.of("ns", upf, SLICE, pool, false);
  }

  @Test
  void registersOnceWithItsSliceAndPoolLinkedFromTheAccessNode() {
    assertEquals(UpfRegistry.DONE, registrar.register(node("upf-ue1", "12.2.1.0/24")));
    JsonObject held = smf.node("upf-ue1.ns");
    JsonObject dnn = held.getAsJsonArray("sNssaiUpfInfos").get(0).getAsJsonObject()
        .getAsJsonArray("dnnUpfInfoList").get(0).getAsJsonObject();
    assertEquals("internet", dnn.get("dnn").getAsString());
    assertEquals("12.2.1.0/24", dnn.getAsJsonArray("pools").get(0).getAsJsonObject().get("Cidr").getAsString());
    assertEquals(1, registrar.registeredCount());

    int before = smf.requests().size();
    assertEquals(UpfRegistry.DONE, registrar.register(node("upf-ue1", "12.2.1.0/24")));
    assertEquals(before, smf.requests().size(), "known and unchanged: nothing sent");
  }

  @Test
  void aChangedNodeIsDeletedThenPostedBecauseThePostOfAKnownNameIsSkipped() {
    registrar.register(node("upf-ue1", "12.2.1.0/24"));
    Free5gcRegistrar fresh = new Free5gcRegistrar(new Free5gcSmfClient(smf.url()), "gNB1"); // a restart
    assertEquals(UpfRegistry.DONE, fresh.register(node("upf-ue1", "12.2.9.0/24")));
    List<String> tail = smf.requests().subList(smf.requests().size() - 3, smf.requests().size());
    assertEquals(List.of("GET /upi/v1/upNodesLinks", "DELETE /upi/v1/upNodesLinks/upf-ue1.ns", "POST /upi/v1/upNodesLinks"), tail);
    assertTrue(smf.node("upf-ue1.ns").toString().contains("12.2.9.0/24"));
  }

  @Test
  void anOverlappingPoolIsNeverSentBecauseTheSmfWouldExit() {
    smf.preload("UPF-operator", 1, "010203", "internet", "12.2.0.0/16");
    UpfRegistry.Outcome outcome = registrar.register(node("upf-ue1", "12.2.1.0/24"));
    Optional<String> answer = outcome instanceof UpfRegistry.Refused r ? Optional.of(r.answer()) : Optional.empty();
    assertTrue(answer.orElse("").contains("overlaps pool 12.2.0.0/16 of node UPF-operator"), answer.toString());
    assertFalse(smf.crashed());
    assertFalse(smf.requests().contains("POST /upi/v1/upNodesLinks"));
  }

  @Test
  void anUnreachableSmfIsARefusalAndTheNextTryWorks() throws Exception {
    smf.stop();
    UpfRegistry.Outcome down = registrar.register(node("upf-ue1", "12.2.1.0/24"));
    assertTrue(down instanceof UpfRegistry.Refused r && r.answer().startsWith("unreachable"), down.toString());
    smf.start();
    assertEquals(UpfRegistry.DONE, registrar.register(node("upf-ue1", "12.2.1.0/24")));
    assertTrue(smf.has("upf-ue1.ns"));
  }

  @Test
  void deregisterDeletesAndUlclRefusesWith403() {
    registrar.register(node("upf-ue1", "12.2.1.0/24"));
    smf.ulcl(true);
    UpfRegistry.Outcome refused = registrar.deregister("ns", "upf-ue1");
    assertTrue(refused instanceof UpfRegistry.Refused r && r.answer().contains("HTTP 403"), refused.toString());
    assertTrue(smf.has("upf-ue1.ns"));
    smf.ulcl(false);
    assertEquals(UpfRegistry.DONE, registrar.deregister("ns", "upf-ue1"));
    assertFalse(smf.has("upf-ue1.ns"));
    assertEquals(0, registrar.registeredCount());
    int before = smf.requests().size();
    assertEquals(UpfRegistry.DONE, registrar.deregister("ns", "upf-ue1"));
    assertEquals(before, smf.requests().size(), "not registered: nothing sent");
  }

  @Test
  void sweepRemovesOurNodesWhoseUpfIsGoneAndLeavesEveryoneElses() {
    smf.preload("upf-gone.ns", 1, "010203", "internet", "12.2.1.0/24");
    smf.preload("upf-kept.ns", 1, "010203", "internet", "12.2.2.0/24");
    smf.preload("upf-theirs.other-ns", 1, "010203", "internet", "12.2.3.0/24");
    smf.preload("UPF-operator", 1, "010203", "internet", "10.60.0.0/16");
    assertEquals(Optional.empty(), registrar.sweep(ns -> ns.equals("ns"), (ns, upf) -> upf.equals("upf-kept")));
    assertFalse(smf.has("upf-gone.ns"));
    assertTrue(smf.has("upf-kept.ns") && smf.has("upf-theirs.other-ns") && smf.has("UPF-operator") && smf.has("gNB1"));
    assertEquals(1, registrar.registeredCount());
    assertEquals(UpfRegistry.DONE, registrar.register(node("upf-kept", "12.2.2.0/24")));
    assertFalse(smf.requests().contains("POST /upi/v1/upNodesLinks"), "the kept node was learned, not re-sent");
  }

  @Test
  void aFailedSweepSaysWhy() {
    smf.stop();
    Optional<String> failure = registrar.sweep(ns -> true, (ns, upf) -> false);
    assertTrue(failure.isPresent() && failure.get().startsWith("unreachable"), failure.toString());
    assertInstanceOf(UpfRegistry.Refused.class, registrar.register(node("upf-x", "12.2.1.0/24")));
  }
}
