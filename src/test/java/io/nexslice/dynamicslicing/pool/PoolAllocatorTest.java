package io.nexslice.dynamicslicing.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PoolAllocatorTest {
  /** 10.9.0.0/22 in /24 blocks: four blocks. */
  private final AddressPool blocks = new AddressPool("10.9.0.0/22", 24);
  /** What the informer indexes answer: pool (block or /32) -> UPFs whose Deployment records it. */
  private final Map<String, Set<String>> cache = new HashMap<>();
  /** block -> UPFs whose Deployment records a static address inside it. */
  private final Map<String, Set<String>> staticCache = new HashMap<>();
  private final PoolAllocator pool = new PoolAllocator(blocks, p -> cache.getOrDefault(p, Set.of()),
      b -> staticCache.getOrDefault(b, Set.of()));

  private static UpfKey upf(String name) {
    return new UpfKey("ns", name);
  }

  private void inCache(String pool, String... owners) {
    cache.computeIfAbsent(pool, k -> new HashSet<>()).addAll(List.of(owners));
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
        "so is one of another size");
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
    cache.remove("10.9.0.0/24");
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
    staticCache.computeIfAbsent("10.9.2.0/24", k -> new HashSet<>()).add("ns/upf-s");
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
    PoolAllocator one = new PoolAllocator(new AddressPool("10.9.0.0/24", 24), p -> Set.of());
    assertEquals(new PoolAllocator.Bound("10.9.0.7/32"), one.allocateStatic(upf("upf-s"), "10.9.0.7"));
    assertEquals(Optional.empty(), one.allocate(upf("upf-a"), Optional.empty()));
    one.release(upf("upf-s"));
    assertEquals(Optional.of("10.9.0.0/24"), one.allocate(upf("upf-a"), Optional.empty()));
  }
}
