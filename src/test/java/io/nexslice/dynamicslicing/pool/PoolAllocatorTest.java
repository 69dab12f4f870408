package io.nexslice.dynamicslicing.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolAllocatorTest {
  /** 10.9.0.0/22 in /24 blocks: four blocks. */
  private final AddressPool blocks = new AddressPool("10.9.0.0/22", 24);
  /** What the informer index answers: the pools the UPFs' Deployments record. */
  private final CachedPools cache = new CachedPools(blocks);
  private final PoolAllocator pool = new PoolAllocator(blocks, cache);

  private static UpfKey upf(String name) {
    return new UpfKey("ns", name);
  }

  private void inCache(String pool, String owner) {
    cache.put(owner, pool);
  }

  private Optional<String> allocate(String name) {
    return pool.allocate(upf(name), Optional.empty());
  }

  @Test
  void blocksAreHandedOutInTurnAndNeverTwice() {
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-a"));
    assertEquals(Optional.of("10.9.1.0/24"), allocate("upf-b"));
    assertEquals(Optional.of("10.9.1.0/24"), pool.allocate(upf("upf-b"), Optional.of("10.9.1.0/24")), "asked again: the same");
    assertEquals(Optional.of("10.9.2.0/24"), allocate("upf-c"));
    assertEquals(Optional.of("10.9.3.0/24"), allocate("upf-d"));
    assertEquals(Optional.empty(), allocate("upf-e"), "exhausted");
  }

  @Test
  void aUpfWhoseDeploymentIsNotCachedYetKeepsTheBlockItReserved() {
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-a"));
    assertEquals(Optional.of("10.9.1.0/24"), allocate("upf-b"));
    // upf-a reconciled again before its Deployment (which records the block) is in the cache.
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-a"), "its reservation, not the next block");
    assertEquals(Optional.of("10.9.2.0/24"), allocate("upf-c"));
    pool.release(upf("upf-a"));
    assertEquals(Optional.of("10.9.3.0/24"), allocate("upf-a"), "released: it starts over");
  }

  @Test
  void blocksInTheCacheAreTakenEvenWithoutAReservation() {
    inCache("10.9.0.0/24", "ns/upf-old");
    inCache("10.9.1.0/24", "ns/upf-older");
    assertEquals(Optional.of("10.9.2.0/24"), allocate("upf-new"), "a restart sees every block in use");
  }

  @Test
  void aUpfKeepsTheBlockItsObjectsRecordUnlessSomeoneElseHoldsIt() {
    inCache("10.9.2.0/24", "ns/upf-a");
    assertEquals(Optional.of("10.9.2.0/24"), pool.allocate(upf("upf-a"), Optional.of("10.9.2.0/24")));
    assertEquals(Optional.of("10.9.0.0/24"), pool.allocate(upf("upf-b"), Optional.of("10.9.2.0/24")),
        "a block another UPF holds is never shared");
    assertEquals(Optional.of("10.9.1.0/24"), pool.allocate(upf("upf-c"), Optional.of("10.8.0.0/24")),
        "a block outside the pool is replaced");
    assertEquals(Optional.of("10.9.3.0/24"), pool.allocate(upf("upf-d"), Optional.of("10.9.0.0/25")),
        "so is one of another size overlapping a block another UPF holds");
  }

  @Test
  void aReservationCoversTheGapUntilTheCacheShowsTheBlockAndReleaseEndsIt() {
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-a"));
    assertEquals(Optional.of("10.9.1.0/24"), pool.allocate(upf("upf-b"), Optional.of("10.9.0.0/24")),
        "upf-a's block is reserved though no Deployment records it yet");
    pool.release(upf("upf-a"));
    allocate("upf-c");
    allocate("upf-d");
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-e"), "released, and found again when the search comes round");
  }

  @Test
  void aReleasedBlockStaysTakenWhileTheCacheStillHoldsIt() {
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-a"));
    inCache("10.9.0.0/24", "ns/upf-a");
    pool.release(upf("upf-a"));
    allocate("upf-b");
    allocate("upf-c");
    allocate("upf-d");
    assertEquals(Optional.empty(), allocate("upf-e"), "upf-a's Deployment is not gone yet");
    cache.remove("ns/upf-a");
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-e"));
  }

  @Test
  void reservingAnotherBlockGivesTheFirstOneBack() {
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-a"));
    inCache("10.9.3.0/24", "ns/upf-a"); // its objects record another block (chosen before a restart)
    assertEquals(Optional.of("10.9.3.0/24"), pool.allocate(upf("upf-a"), Optional.of("10.9.3.0/24")));
    assertEquals(Optional.of("10.9.1.0/24"), allocate("upf-b"));
    assertEquals(Optional.of("10.9.2.0/24"), allocate("upf-c"));
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-d"), "upf-a holds one block, not two");
  }

  @Test
  void aStaticAddressIsItsUpfsAloneAndItsBlockNoOneElsesPool() {
    assertEquals(new PoolAllocator.Bound("10.9.0.7/32"), pool.allocateStatic(upf("upf-s"), "10.9.0.7"));
    assertEquals(new PoolAllocator.Bound("10.9.0.7/32"), pool.allocateStatic(upf("upf-s"), "10.9.0.7"), "idempotent");
    assertEquals(new PoolAllocator.Refused("is already bound to UPF ns/upf-s", true),
        pool.allocateStatic(upf("upf-t"), "10.9.0.7"));
    assertEquals(new PoolAllocator.Bound("10.9.0.8/32"), pool.allocateStatic(upf("upf-t"), "10.9.0.8"));
    assertEquals(Optional.of("10.9.1.0/24"), allocate("upf-d"), "the block with static addresses is skipped");
    assertEquals(new PoolAllocator.Refused("lies in the UE pool 10.9.1.0/24 of UPF ns/upf-d, whose UEs the SMF could give it to", true),
        pool.allocateStatic(upf("upf-u"), "10.9.1.20"));
    assertEquals(new PoolAllocator.Refused("is outside UPF_POOL_CIDR (10.9.0.0/22 in /24 blocks)", false),
        pool.allocateStatic(upf("upf-u"), "10.9.4.1"));
    assertEquals(new PoolAllocator.Refused("is not an IPv4 address", false), pool.allocateStatic(upf("upf-u"), "10.9.0"));
  }

  @Test
  void staticAddressesInTheCacheCountAsBound() {
    inCache("10.9.2.5/32", "ns/upf-s");
    assertEquals(new PoolAllocator.Refused("is already bound to UPF ns/upf-s", true),
        pool.allocateStatic(upf("upf-t"), "10.9.2.5"));
    assertEquals(new PoolAllocator.Bound("10.9.2.5/32"), pool.allocateStatic(upf("upf-s"), "10.9.2.5"), "its own, after a restart");
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-a"));
    assertEquals(Optional.of("10.9.1.0/24"), allocate("upf-b"));
    assertEquals(Optional.of("10.9.3.0/24"), allocate("upf-c"), "10.9.2.0/24 has upf-s's address in it");
    assertEquals(Optional.empty(), allocate("upf-d"));
  }

  @Test
  void aReleasedStaticAddressFreesItsBlock() {
    PoolAllocator one = new PoolAllocator(new AddressPool("10.9.0.0/24", 24), b -> Map.of());
    assertEquals(new PoolAllocator.Bound("10.9.0.7/32"), one.allocateStatic(upf("upf-s"), "10.9.0.7"));
    assertEquals(Optional.empty(), one.allocate(upf("upf-a"), Optional.empty()));
    one.release(upf("upf-s"));
    assertEquals(Optional.of("10.9.0.0/24"), one.allocate(upf("upf-a"), Optional.empty()));
  }

  // ---- pools of another size than the configured blocks: an upgrade, a mode switch ----

  /** The default per-UE pool, 12.2.0.0/16 in /29 blocks, after an upgrade from /24 blocks. */
  private final AddressPool perUe = new AddressPool("12.2.0.0/16", 29);
  private final CachedPools upgraded = new CachedPools(perUe)
      .put("ns/upf-old-0", "12.2.0.0/24")
      .put("ns/upf-old-2", "12.2.2.0/24");
  private final PoolAllocator afterUpgrade = new PoolAllocator(perUe, upgraded);

  @Test
  void afterAnUpgradeEachUpfKeepsTheLargerBlockItRecordsAndNewBlocksAreCutAroundThem() {
    assertEquals(Optional.of("12.2.0.0/24"), afterUpgrade.allocate(upf("upf-old-0"), Optional.of("12.2.0.0/24")),
        "a live UPF keeps its /24: moving it would cut its UE's sessions");
    List<String> given = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      given.add(afterUpgrade.allocate(upf("upf-new-" + i), Optional.empty()).orElseThrow());
    }
    assertEquals("12.2.1.0/29", given.get(0), "the first /29 past the /24 at 12.2.0.0");
    assertEquals("12.2.1.248/29", given.get(31));
    assertEquals("12.2.3.0/29", given.get(32), "12.2.2.0/24 is skipped whole");
    for (String block : given) {
      assertFalse(AddressPool.overlaps(block, "12.2.0.0/24") || AddressPool.overlaps(block, "12.2.2.0/24"), block);
    }
    assertEquals(Optional.of("12.2.2.0/24"), afterUpgrade.allocate(upf("upf-old-2"), Optional.of("12.2.2.0/24")),
        "and the other one too, after the new UPFs were served");
  }

  @Test
  void aKeptLargerBlockIsReservedWholeUntilItsUpfIsGone() {
    AddressPool four = new AddressPool("10.9.0.0/23", 25);
    CachedPools cached = new CachedPools(four).put("ns/upf-old", "10.9.0.0/24");
    PoolAllocator a = new PoolAllocator(four, cached);
    assertEquals(Optional.of("10.9.0.0/24"), a.allocate(upf("upf-old"), Optional.of("10.9.0.0/24")));
    assertEquals(Optional.of("10.9.1.0/25"), a.allocate(upf("upf-a"), Optional.empty()));
    assertEquals(Optional.of("10.9.1.128/25"), a.allocate(upf("upf-b"), Optional.empty()));
    assertEquals(Optional.empty(), a.allocate(upf("upf-c"), Optional.empty()), "the /24 covers two /25 blocks");
    cached.remove("ns/upf-old");
    assertEquals(Optional.empty(), a.allocate(upf("upf-c"), Optional.empty()), "its reservation holds both still");
    a.release(upf("upf-old"));
    assertEquals(Optional.of("10.9.0.0/25"), a.allocate(upf("upf-c"), Optional.empty()));
    assertEquals(Optional.of("10.9.0.128/25"), a.allocate(upf("upf-d"), Optional.empty()));
  }

  @Test
  void smallerRecordedBlocksAreKeptAndTheBlockAroundThemIsNotHandedOut() {
    // Per-UE /29s, then UPF_POOL_BLOCK_PREFIX=24 (or a switch to per-slice, whose default is /24).
    cache.put("ns/upf-a", "10.9.1.8/29").put("ns/upf-b", "10.9.1.16/29");
    assertEquals(Optional.of("10.9.1.8/29"), pool.allocate(upf("upf-a"), Optional.of("10.9.1.8/29")));
    assertEquals(Optional.of("10.9.1.16/29"), pool.allocate(upf("upf-b"), Optional.of("10.9.1.16/29")),
        "two /29s in one /24 do not overlap: neither moves");
    assertEquals(Optional.of("10.9.0.0/24"), allocate("upf-c"));
    assertEquals(Optional.of("10.9.2.0/24"), allocate("upf-d"), "10.9.1.0/24 has their /29s in it");
    assertEquals(Optional.of("10.9.3.0/24"), allocate("upf-e"));
    assertEquals(Optional.empty(), allocate("upf-f"));
  }

  @Test
  void aRecordedBlockIsReplacedOnlyWhenItLiesOutsideThePoolOrOverlapsAnotherUpfsAndSaysWhy() {
    upgraded.put("ns/upf-stray", "12.2.0.8/29"); // left by an older version or a hand: inside upf-old-0's /24
    assertEquals(Optional.of("overlaps the UE pool 12.2.0.0/24 of UPF ns/upf-old-0"),
        afterUpgrade.whyNotKept(upf("upf-stray"), "12.2.0.8/29"));
    assertEquals(Optional.of("12.2.1.0/29"), afterUpgrade.allocate(upf("upf-stray"), Optional.of("12.2.0.8/29")));
    assertEquals(Optional.of("is not a block of UPF_POOL_CIDR (12.2.0.0/16 in /29 blocks)"),
        afterUpgrade.whyNotKept(upf("upf-x"), "12.3.0.0/24"));
    assertEquals(Optional.of("is not a block of UPF_POOL_CIDR (12.2.0.0/16 in /29 blocks)"),
        afterUpgrade.whyNotKept(upf("upf-x"), "12.2.0.0/15"), "larger than the whole pool");
    assertEquals(Optional.of("is not a block of UPF_POOL_CIDR (12.2.0.0/16 in /29 blocks)"),
        afterUpgrade.whyNotKept(upf("upf-x"), "12.2.9.0/31"), "no free5GC pool");
    assertEquals(Optional.empty(), afterUpgrade.whyNotKept(upf("upf-old-0"), "12.2.0.0/24"));
    assertEquals(Optional.empty(), afterUpgrade.whyNotKept(upf("upf-x"), "12.2.200.0/22"), "any free network of the pool");
  }

  @Test
  void aStaticAddressInsideALargerBlockOfAnotherUpfIsRefused() {
    assertEquals(new PoolAllocator.Refused("lies in the UE pool 12.2.2.0/24 of UPF ns/upf-old-2, whose UEs the SMF"
        + " could give it to", true), afterUpgrade.allocateStatic(upf("upf-s"), "12.2.2.77"));
    assertEquals(new PoolAllocator.Bound("12.2.1.77/32"), afterUpgrade.allocateStatic(upf("upf-s"), "12.2.1.77"));
    assertEquals(Optional.of("12.2.1.0/29"), afterUpgrade.allocate(upf("upf-a"), Optional.empty()));
    assertEquals(Optional.of("12.2.1.8/29"), afterUpgrade.allocate(upf("upf-b"), Optional.empty()));
    List<String> next = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      next.add(afterUpgrade.allocate(upf("upf-c" + i), Optional.empty()).orElseThrow());
    }
    assertEquals("12.2.1.64/29", next.get(6));
    assertEquals("12.2.1.80/29", next.get(7), "12.2.1.72/29 holds upf-s's static address");
    assertEquals(Optional.of("overlaps the UE pool 12.2.1.77/32 of UPF ns/upf-s"),
        afterUpgrade.whyNotKept(upf("upf-d"), "12.2.1.72/29"), "nor is it kept by a UPF that recorded it");
  }

  @Test
  void ofTwoUpfsRecordingOverlappingPoolsOnlyTheOneNamedLastMovesWhicheverComesFirst() {
    for (boolean firstNamedFirst : new boolean[] {true, false}) {
      AddressPool p = new AddressPool("12.2.0.0/16", 29);
      CachedPools cached = new CachedPools(p).put("ns/upf-a", "12.2.0.8/29").put("ns/upf-b", "12.2.0.0/24");
      PoolAllocator a = new PoolAllocator(p, cached);
      Optional<String> first = firstNamedFirst ? a.allocate(upf("upf-a"), Optional.of("12.2.0.8/29")) : Optional.empty();
      assertEquals(Optional.of("12.2.0.0/29"), a.allocate(upf("upf-b"), Optional.of("12.2.0.0/24")),
          "upf-b moves, to the first block clear of upf-a's (its own old pool is in no one's way)");
      assertEquals(Optional.of("12.2.0.8/29"), firstNamedFirst ? first : a.allocate(upf("upf-a"), Optional.of("12.2.0.8/29")),
          "upf-a keeps its pool, though the cache still shows upf-b's old one around it");
    }
  }
}
