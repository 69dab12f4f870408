package io.nexslice.dynamicslicing.pool;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Hands out address blocks so that no two UPFs ever hold the same one.
 *
 * <p>The truth lives in the cluster: each UPF's Deployment carries its block in an annotation,
 * and {@code holders} answers, from an informer index, who holds a block. An informer index is
 * updated together with the cache that /readyz waits for, so after a restart or a leader change
 * every block already in use is seen before the first allocation. Between choosing a block and
 * the informer seeing the written Deployment, an in-memory reservation covers the gap; workers
 * serialise on this object.
 */
public final class PoolAllocator {
  private final AddressPool pool;
  private final Function<String, Set<String>> holders;
  private final Function<String, Set<String>> staticHolders;
  /** block -> owners that reserved a static address inside it. */
  private final Map<String, Set<String>> reservedStatics = new HashMap<>();
  /** block -> owner and owner -> block, for blocks chosen but maybe not yet visible in the cache. */
  private final Map<String, String> reservedBlocks = new HashMap<>();
  private final Map<String, String> reservedBy = new HashMap<>();
  /**
   * Where the search for a free block starts: just past the last block handed out. Searching
   * from block 0 each time made a burst of N attaches cost N^2 / 2 index lookups under this lock
   * (12.5 million for 5 000 UEs); from the cursor, a fresh pool answers in one step, and a freed
   * block is found again when the cursor comes round.
   */
  private int cursor;

  /** What a static address claim gave: the UPF's pool (the address as a /32), or why not. */
  public sealed interface StaticClaim permits Bound, Refused {}

  public record Bound(String cidr) implements StaticClaim {}

  /** @param mayFree true when the cause may go by itself (another UPF holds it), so looking again helps */
  public record Refused(String reason, boolean mayFree) implements StaticClaim {}

  /**
   * @param holders for a pool (a block, or a static address as /32), the owners (namespace/UPF
   *     name) whose objects in the cache record exactly it
   * @param staticHolders for a block, the owners whose objects record a static address inside it
   */
  public PoolAllocator(AddressPool pool, Function<String, Set<String>> holders,
      Function<String, Set<String>> staticHolders) {
    this.pool = pool;
    this.holders = holders;
    this.staticHolders = staticHolders;
  }

  /** A pool without static addresses. */
  public PoolAllocator(AddressPool pool, Function<String, Set<String>> holders) {
    this(pool, holders, block -> Set.of());
  }

  /**
   * Binds the static address {@code address} to {@code owner}: its pool is the address alone, no
   * other UPF may hold it, and no block containing it may be anyone else's, or the SMF could give
   * the address to that UPF's UEs (free5GC takes a static address from any UPF whose pool has it).
   */
  public synchronized StaticClaim allocateStatic(UpfKey upf, String address) {
    String owner = upf.cacheKey();
    try {
      if (!pool.containsAddress(address)) {
        return new Refused("is outside UPF_POOL_CIDR (" + pool + ")", false);
      }
    } catch (IllegalArgumentException e) {
      return new Refused("is not an IPv4 address", false);
    }
    String cidr = address + "/32";
    String block = pool.blockOf(address);
    Optional<String> bound = others(holders.apply(cidr), reservedBlocks.get(cidr), owner);
    if (bound.isPresent()) {
      return new Refused("is already bound to UPF " + bound.get(), true);
    }
    Optional<String> inBlock = others(holders.apply(block), reservedBlocks.get(block), owner);
    if (inBlock.isPresent()) {
      return new Refused("lies in the UE pool " + block + " of UPF " + inBlock.get()
          + ", whose UEs the SMF could give it to", true);
    }
    reserve(cidr, owner);
    reservedStatics.computeIfAbsent(block, k -> new HashSet<>()).add(owner);
    return new Bound(cidr);
  }

  private static Optional<String> others(Set<String> cached, String reserved, String owner) {
    if (reserved != null && !reserved.equals(owner)) {
      return Optional.of(reserved);
    }
    return cached.stream().filter(o -> !o.equals(owner)).sorted().findFirst();
  }

  /**
   * The block for {@code owner}: {@code current} (what its objects already carry) when that is
   * still a block of the pool held by no one else, else the next free block after the last one
   * handed out; empty when the pool is exhausted.
   */
  public synchronized Optional<String> allocate(UpfKey upf, Optional<String> current) {
    String owner = upf.cacheKey();
    if (current.isPresent() && pool.isBlock(current.get()) && isFreeFor(current.get(), owner)) {
      reserve(current.get(), owner);
      return current;
    }
    int count = pool.blockCount();
    for (int i = 0; i < count; i++) {
      int index = (cursor + i) % count;
      String block = pool.block(index);
      if (isFreeFor(block, owner)) {
        reserve(block, owner);
        cursor = (index + 1) % count;
        return Optional.of(block);
      }
    }
    return Optional.empty();
  }

  /** Forgets {@code owner}'s reservation; its block is free once its objects are gone too. */
  public synchronized void release(UpfKey upf) {
    release(upf.cacheKey());
  }

  private void release(String owner) {
    String block = reservedBy.remove(owner);
    if (block != null) {
      reservedBlocks.remove(block);
    }
    reservedStatics.values().forEach(owners -> owners.remove(owner));
    reservedStatics.values().removeIf(Set::isEmpty);
  }

  private void reserve(String block, String owner) {
    release(owner);
    reservedBlocks.put(block, owner);
    reservedBy.put(owner, block);
  }

  private boolean isFreeFor(String block, String owner) {
    String r = reservedBlocks.get(block);
    if (r != null && !r.equals(owner)) {
      return false;
    }
    Set<String> h = holders.apply(block);
    if (!h.isEmpty() && !h.equals(Set.of(owner))) {
      return false;
    }
    // A block with someone's static address in it is never handed out: see allocateStatic.
    return others(staticHolders.apply(block), null, owner).isEmpty()
        && reservedStatics.getOrDefault(block, Set.of()).stream().allMatch(owner::equals);
  }

  public AddressPool pool() {
    return pool;
  }
}
