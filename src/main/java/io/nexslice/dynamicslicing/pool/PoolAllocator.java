package io.nexslice.dynamicslicing.pool;

import java.util.HashMap;
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
  /** block -> owner, for blocks chosen but maybe not yet visible in the cache. */
  private final Map<String, String> reserved = new HashMap<>();

  /**
   * @param holders for a block, the owners (namespace/UPF name) whose objects in the cache hold it
   */
  public PoolAllocator(AddressPool pool, Function<String, Set<String>> holders) {
    this.pool = pool;
    this.holders = holders;
  }

  /**
   * The block for {@code owner}: {@code current} (what its objects already carry) when that is
   * still a block of the pool held by no one else, else the lowest free block; empty when the
   * pool is exhausted.
   */
  public synchronized Optional<String> allocate(String owner, Optional<String> current) {
    if (current.isPresent() && pool.isBlock(current.get()) && isFreeFor(current.get(), owner)) {
      reserved.values().remove(owner);
      reserved.put(current.get(), owner);
      return current;
    }
    for (int i = 0; i < pool.blockCount(); i++) {
      String block = pool.block(i);
      if (isFreeFor(block, owner)) {
        reserved.values().remove(owner);
        reserved.put(block, owner);
        return Optional.of(block);
      }
    }
    return Optional.empty();
  }

  /** Forgets {@code owner}'s reservation; its block is free once its objects are gone too. */
  public synchronized void release(String owner) {
    reserved.values().remove(owner);
  }

  private boolean isFreeFor(String block, String owner) {
    String r = reserved.get(block);
    if (r != null && !r.equals(owner)) {
      return false;
    }
    Set<String> h = holders.apply(block);
    return h.isEmpty() || h.equals(Set.of(owner));
  }

  public AddressPool pool() {
    return pool;
  }
}
