package io.nexslice.dynamicslicing.pool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Hands out address blocks so that no two UPFs ever hold overlapping pools.
 *
 * <p>The truth lives in the cluster: each UPF's Deployment carries its pool in an annotation,
 * and {@code held} answers, from an informer index, which pools overlap a block. An informer
 * index is updated together with the cache that /readyz waits for, so after a restart or a leader
 * change every pool already in use is seen before the first allocation. Between choosing a block
 * and the informer seeing the written Deployment, an in-memory reservation covers the gap; workers
 * serialise on this object.
 *
 * <p>Pools are compared by overlap, not by equality, because they need not all have the
 * configured size: a UPF keeps the pool it recorded under an earlier UPF_POOL_BLOCK_PREFIX (a /24
 * from before the per-UE default became /29, or a slice UPF's /24 while per-UE UPFs take /29s
 * after a mode switch), and a static address is a /32 inside a block. Moving a live UPF to a new
 * pool would cut its UE's sessions, so only a pool outside the range or overlapping another UPF's
 * is ever replaced.
 */
public final class PoolAllocator {
  private final AddressPool pool;
  private final Function<String, Map<String, String>> held;
  /** owner -> the pool it reserved (a block of any size, or a static address as /32). */
  private final Map<String, String> reservedBy = new HashMap<>();
  /** block -> owner -> its reserved pool overlapping that block: reservations, filed as the index files pools. */
  private final Map<String, Map<String, String>> reservedIn = new HashMap<>();
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

  /** One UPF's pool: the UPF (namespace/name), the CIDR, and whether it is a reservation (else: in the cache). */
  private record Holding(String owner, String cidr, boolean reserved) {}

  /**
   * @param held for a block of {@code pool}, each UPF (namespace/name) whose objects in the cache
   *     record a pool overlapping that block, mapped to that pool: a block of any size, or a
   *     static address as /32 (see {@link AddressPool#blocksOverlapping}, which files them)
   */
  public PoolAllocator(AddressPool pool, Function<String, Map<String, String>> held) {
    this.pool = pool;
    this.held = held;
  }

  /**
   * Binds the static address {@code address} to {@code owner}: its pool is the address alone, no
   * other UPF may hold it, and no pool containing it may be anyone else's, or the SMF could give
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
    List<Holding> near = others(pool.blockOf(address), owner);
    Optional<Holding> bound = near.stream().filter(h -> h.cidr().equals(cidr)).findFirst();
    if (bound.isPresent()) {
      return new Refused("is already bound to UPF " + bound.get().owner(), true);
    }
    Optional<Holding> around = near.stream()
        .filter(h -> !h.cidr().endsWith("/32") && AddressPool.contains(h.cidr(), address)).findFirst();
    if (around.isPresent()) {
      return new Refused("lies in the UE pool " + around.get().cidr() + " of UPF " + around.get().owner()
          + ", whose UEs the SMF could give it to", true);
    }
    reserve(cidr, owner);
    return new Bound(cidr);
  }

  /**
   * The block for {@code owner}: {@code current} (what its objects already record, whatever its
   * size) when it lies in the pool and overlaps no one else's, else the next free block after the
   * last one handed out; empty when the pool is exhausted.
   */
  public synchronized Optional<String> allocate(UpfKey upf, Optional<String> current) {
    String owner = upf.cacheKey();
    if (current.isPresent() && whyNotKept(owner, current.get()).isEmpty()) {
      reserve(current.get(), owner);
      return current;
    }
    // Its objects record no block yet, but it reserved one: a reconcile that ran before its
    // Deployment reached the cache (its ConfigMap and Service did first: they are written at once).
    // It keeps that block; a new one would rewrite the ConfigMap and Service written a moment ago.
    String reserved = reservedBy.get(owner);
    if (current.isEmpty() && reserved != null
        && pool.blocksOverlapping(reserved).equals(List.of(reserved)) && whyNotKept(owner, reserved).isEmpty()) {
      return Optional.of(reserved);
    }
    int count = pool.blockCount();
    for (int i = 0; i < count; i++) {
      int index = (cursor + i) % count;
      String block = pool.block(index);
      if (conflictIn(block, block, owner, h -> true).isEmpty()) {
        reserve(block, owner);
        cursor = (index + 1) % count;
        return Optional.of(block);
      }
    }
    return Optional.empty();
  }

  /**
   * Why {@code owner} may not keep the pool {@code recorded}: it is no network of the pool, or it
   * overlaps another UPF's pool; empty when it may.
   *
   * <p>Two recorded pools overlap only if something other than this allocator wrote them (an older
   * version, a hand). Then the UPF first by namespace/name keeps its pool and the other moves, so
   * one live UPF moves, not both: each ignores the cached pools of UPFs named after it, and every
   * reservation counts (a fresh block never overlaps a cached pool, so a reservation that overlaps
   * is a pool kept by a UPF named before).
   */
  synchronized Optional<String> whyNotKept(UpfKey upf, String recorded) {
    return whyNotKept(upf.cacheKey(), recorded);
  }

  private Optional<String> whyNotKept(String owner, String recorded) {
    if (!pool.fitsInside(recorded)) {
      return Optional.of("is not a block of UPF_POOL_CIDR (" + pool + ")");
    }
    for (String block : pool.blocksOverlapping(recorded)) {
      Optional<Holding> other = conflictIn(block, recorded, owner,
          h -> h.reserved() || h.owner().compareTo(owner) < 0);
      if (other.isPresent()) {
        return Optional.of("overlaps the UE pool " + other.get().cidr() + " of UPF " + other.get().owner());
      }
    }
    return Optional.empty();
  }

  /** Forgets {@code owner}'s reservation; its pool is free once its objects are gone too. */
  public synchronized void release(UpfKey upf) {
    release(upf.cacheKey());
  }

  private void release(String owner) {
    String cidr = reservedBy.remove(owner);
    if (cidr == null) {
      return;
    }
    for (String block : pool.blocksOverlapping(cidr)) {
      Map<String, String> owners = reservedIn.get(block);
      if (owners != null) {
        owners.remove(owner);
        if (owners.isEmpty()) {
          reservedIn.remove(block);
        }
      }
    }
  }

  private void reserve(String cidr, String owner) {
    release(owner);
    reservedBy.put(owner, cidr);
    for (String block : pool.blocksOverlapping(cidr)) {
      reservedIn.computeIfAbsent(block, k -> new HashMap<>()).put(owner, cidr);
    }
  }

  /** The first pool filed under {@code block} that is not {@code owner}'s, {@code counts} and overlaps {@code cidr}. */
  private Optional<Holding> conflictIn(String block, String cidr, String owner, Predicate<Holding> counts) {
    return others(block, owner).stream().filter(h -> counts.test(h) && AddressPool.overlaps(h.cidr(), cidr)).findFirst();
  }

  /**
   * The pools other UPFs hold (in the cache) or reserved (not yet in it) that overlap {@code block},
   * in a stable order. A UPF may appear twice while the cache still shows the pool it is leaving.
   */
  private List<Holding> others(String block, String owner) {
    Map<String, String> cached = held.apply(block);
    Map<String, String> reserved = reservedIn.getOrDefault(block, Map.of());
    if (cached.isEmpty() && reserved.isEmpty()) {
      return List.of();
    }
    List<Holding> out = new ArrayList<>();
    cached.forEach((o, cidr) -> add(out, new Holding(o, cidr, false), owner));
    reserved.forEach((o, cidr) -> add(out, new Holding(o, cidr, true), owner));
    out.sort(Comparator.comparing(Holding::owner).thenComparing(Holding::cidr));
    return out;
  }

  private static void add(List<Holding> out, Holding h, String owner) {
    if (!h.owner().equals(owner)) {
      out.add(h);
    }
  }

  public AddressPool pool() {
    return pool;
  }
}
