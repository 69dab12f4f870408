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

  /**
   * @param holders for a block, the owners (namespace/UPF name) whose objects in the cache hold it
   */
  public PoolAllocator(AddressPool pool, Function<String, Set<String>> holders) {
    this.pool = pool;
    this.holders = holders;
  }

  /**
   * The block for {@code owner}: {@code current} (what its objects already carry) when that is
   * still a block of the pool held by no one else, else the next free block after the last one
   * handed out; empty when the pool is exhausted.
   */
  public synchronized Optional<String> allocate(String owner, Optional<String> current) {
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
  public synchronized void release(String owner) {
    String block = reservedBy.remove(owner);
    if (block != null) {
      reservedBlocks.remove(block);
    }
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
    return h.isEmpty() || h.equals(Set.of(owner));
  }

  public AddressPool pool() {
    return pool;
  }
}
