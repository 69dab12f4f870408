package io.nexslice.dynamicslicing.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressPoolTest {

  @Test
  void cutsTheRangeIntoAlignedBlocks() {
    AddressPool p = new AddressPool("12.2.0.0/16", 24);
    assertEquals(256, p.blockCount());
    assertEquals("12.2.0.0/24", p.block(0));
    assertEquals("12.2.255.0/24", p.block(255));
    assertTrue(p.isBlock("12.2.7.0/24"));
    assertFalse(p.isBlock("12.2.7.1/24"));
    assertFalse(p.isBlock("12.3.0.0/24"));
    assertFalse(p.isBlock("12.2.0.0/25"));
    assertFalse(p.isBlock("garbage"));
    assertEquals("12.2.7.1", AddressPool.gateway("12.2.7.0/24"));
    assertEquals("10.0.0.64/26", new AddressPool("10.0.0.0/24", 26).block(1));
  }

  @Test
  void rejectsWhatIsNotAPool() {
    assertThrows(IllegalArgumentException.class, () -> new AddressPool("12.2.0.1/16", 24));
    assertThrows(IllegalArgumentException.class, () -> new AddressPool("12.2.0.0/16", 15));
    assertThrows(IllegalArgumentException.class, () -> new AddressPool("12.2.0.0", 24));
    assertThrows(IllegalArgumentException.class, () -> new AddressPool("300.2.0.0/16", 24));
    assertThrows(IllegalArgumentException.class, () -> new AddressPool("12.2.0.0/4", 24));
  }

  @Test
  void allocatorNeverHandsOutABlockTwiceAndKeepsWhatAnOwnerHas() {
    Map<String, String> cluster = new HashMap<>(); // block -> owner, what the informer index would say
    PoolAllocator a = new PoolAllocator(new AddressPool("10.0.0.0/22", 24),
        b -> cluster.containsKey(b) ? Set.of(cluster.get(b)) : Set.of());
    cluster.put("10.0.0.0/24", "ns/upf-old"); // found in the cluster at start
    Set<String> given = new HashSet<>();
    for (String upf : new String[] {"a", "b", "c"}) {
      String block = a.allocate(new UpfKey("ns", upf), Optional.empty()).orElseThrow();
      assertTrue(given.add(block), block);
      assertFalse(block.equals("10.0.0.0/24"));
    }
    assertEquals(Optional.empty(), a.allocate(new UpfKey("ns", "d"), Optional.empty()), "exhausted");
    assertEquals(Optional.of("10.0.0.0/24"), a.allocate(new UpfKey("ns", "upf-old"), Optional.of("10.0.0.0/24")), "keeps its own");

    a.release(new UpfKey("ns", "b"));
    assertEquals(Optional.of("10.0.2.0/24"), a.allocate(new UpfKey("ns", "d"), Optional.empty()), "b's block, freed");
  }

  @Test
  void freedBlocksAreFoundAgainOnceTheCursorComesRound() {
    PoolAllocator a = new PoolAllocator(new AddressPool("10.0.0.0/22", 24), b -> Set.of());
    assertEquals(Optional.of("10.0.0.0/24"), a.allocate(new UpfKey("ns", "a"), Optional.empty()));
    assertEquals(Optional.of("10.0.1.0/24"), a.allocate(new UpfKey("ns", "b"), Optional.empty()));
    a.release(new UpfKey("ns", "a"));
    assertEquals(Optional.of("10.0.2.0/24"), a.allocate(new UpfKey("ns", "c"), Optional.empty()), "onwards, not back");
    assertEquals(Optional.of("10.0.3.0/24"), a.allocate(new UpfKey("ns", "d"), Optional.empty()));
    assertEquals(Optional.of("10.0.0.0/24"), a.allocate(new UpfKey("ns", "e"), Optional.empty()), "a's block, round again");
    assertEquals(Optional.empty(), a.allocate(new UpfKey("ns", "f"), Optional.empty()), "exhausted");
  }

  @Test
  void anOwnerClaimingABlockSomeoneElseHoldsGetsAnother() {
    PoolAllocator a = new PoolAllocator(new AddressPool("10.0.0.0/23", 24),
        b -> b.equals("10.0.0.0/24") ? Set.of("ns/first") : Set.of());
    assertEquals(Optional.of("10.0.1.0/24"), a.allocate(new UpfKey("ns", "second"), Optional.of("10.0.0.0/24")));
  }
}
