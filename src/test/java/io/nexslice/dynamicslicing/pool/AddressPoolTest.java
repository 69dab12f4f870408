package io.nexslice.dynamicslicing.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
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
    assertTrue(p.fitsInside("12.2.7.0/24"));
    assertTrue(p.fitsInside("12.2.0.0/25"), "a block of another size, as a UPF recorded it under other settings");
    assertTrue(p.fitsInside("12.2.4.0/22"));
    assertFalse(p.fitsInside("12.2.7.1/24"));
    assertFalse(p.fitsInside("12.3.0.0/24"));
    assertFalse(p.fitsInside("12.2.0.0/15"), "larger than the pool");
    assertFalse(p.fitsInside("12.2.0.8/31"), "not a pool free5GC takes");
    assertFalse(p.fitsInside("garbage"));
    assertEquals("12.2.7.1", AddressPool.gateway("12.2.7.0/24"));
    assertEquals("10.0.0.64/26", new AddressPool("10.0.0.0/24", 26).block(1));
  }

  @Test
  void findsTheBlocksAPoolOfAnySizeOverlaps() {
    AddressPool p = new AddressPool("12.2.0.0/16", 29);
    assertEquals(List.of("12.2.0.8/29"), p.blocksOverlapping("12.2.0.8/29"));
    assertEquals(List.of("12.2.0.8/29"), p.blocksOverlapping("12.2.0.9/32"), "a static address: the block holding it");
    List<String> spanned = p.blocksOverlapping("12.2.3.0/24");
    assertEquals(32, spanned.size(), "a /24 from before the default became /29");
    assertEquals("12.2.3.0/29", spanned.get(0));
    assertEquals("12.2.3.248/29", spanned.get(31));
    assertEquals(8192, p.blocksOverlapping("12.0.0.0/8").size(), "clipped to the pool");
    assertEquals(List.of(), p.blocksOverlapping("12.1.1.0/24"), "an OAI SMF pool, outside");
    assertEquals(List.of(), p.blocksOverlapping("garbage"));
    assertEquals(List.of(), p.blocksOverlapping("12.2.0.1/24"));
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
    AddressPool pool = new AddressPool("10.0.0.0/22", 24);
    PoolAllocator a = new PoolAllocator(pool, new CachedPools(pool).put("ns/upf-old", "10.0.0.0/24")); // found at start
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
    PoolAllocator a = new PoolAllocator(new AddressPool("10.0.0.0/22", 24), b -> Map.of());
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
    AddressPool pool = new AddressPool("10.0.0.0/23", 24);
    PoolAllocator a = new PoolAllocator(pool, new CachedPools(pool).put("ns/first", "10.0.0.0/24"));
    assertEquals(Optional.of("10.0.1.0/24"), a.allocate(new UpfKey("ns", "second"), Optional.of("10.0.0.0/24")));
  }
}
