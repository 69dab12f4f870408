package io.nexslice.dynamicslicing.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kubernetes.client.extended.controller.reconciler.Request;
import org.junit.jupiter.api.Test;

class NameClaimsTest {
  private final NameClaims claims = new NameClaims();
  private final Request ue1 = new Request("ns", "ue1");
  private final Request group = new Request("ns", "slice:1/FFFFFF/oai");

  @Test
  void aClaimedNameWakesItsClaimantInItsNamespaceOnly() {
    claims.claim("ns", "upf-ue1", ue1);
    assertEquals(ue1, claims.waitingFor("ns", "upf-ue1"));
    assertNull(claims.waitingFor("other", "upf-ue1"));
    assertNull(claims.waitingFor("ns", "upf-ue2"));
  }

  @Test
  void releaseDropsEveryNameOfThatClaimantAndNoOtherClaim() {
    claims.claim("ns", "upf-ue1", ue1);
    claims.claim("ns", "upf-ue1-b", ue1);
    claims.claim("ns", "upf-sst1-ffffff-oai", group);
    claims.release(ue1);
    assertNull(claims.waitingFor("ns", "upf-ue1"));
    assertNull(claims.waitingFor("ns", "upf-ue1-b"));
    assertEquals(group, claims.waitingFor("ns", "upf-sst1-ffffff-oai"));
    claims.release(new Request("ns", "ue9")); // never claimed anything: a no-op
    assertEquals(group, claims.waitingFor("ns", "upf-sst1-ffffff-oai"));
  }

  @Test
  void theLastClaimOfANameWins() {
    claims.claim("ns", "upf-x", ue1);
    claims.claim("ns", "upf-x", group);
    assertEquals(group, claims.waitingFor("ns", "upf-x"));
    claims.release(ue1);
    assertEquals(group, claims.waitingFor("ns", "upf-x"), "ue1 no longer held it");
  }
}
