package io.nexslice.dynamicslicing.pool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The most per-UE UPFs one slice (namespace, S-NSSAI, DNN) may have: UPF_MAX_PER_SLICE. The OAI
 * SMF associates with at most 16 UPFs and refuses the 17th, so a UPF past that count would exist
 * and be used by no one.
 *
 * <p>Like PoolAllocator, the count lives in the cluster: {@code holders} answers from an informer
 * index which UPFs record a slice, so a restart or a new leader counts exactly what exists. An
 * in-memory reservation covers the moment between admitting a UE and the informer seeing its
 * UPF. Who waits is soft state, rebuilt as every UE is reconciled after a start; it only decides
 * whom to wake when a slot frees. Workers serialise on this object.
 */
public final class SliceBudget {
  private final int max;
  private final Function<String, Set<String>> holders;
  /** slice -> owners admitted but maybe not yet in the cache; owner -> its slice. */
  private final Map<String, Set<String>> reserved = new HashMap<>();
  private final Map<String, String> reservedSlice = new HashMap<>();
  /**
   * slice -> UEs refused for lack of a slot, in the order first refused. A slice stays once it
   * had a waiter (bounded by the slices in use), so its gauge drops to 0.
   */
  private final Map<String, Set<UeKey>> waiting = new HashMap<>();
  private final Map<UeKey, String> waitingSlice = new HashMap<>();

  /**
   * @param max the most UPFs per slice; 0 means no limit
   * @param holders for a slice key, the owners (namespace/UPF name) whose per-UE UPF records it
   */
  public SliceBudget(int max, Function<String, Set<String>> holders) {
    this.max = max;
    this.holders = holders;
  }

  /** The key of a slice in a namespace, as UPFs record it (namespace/"sst=.. sd=.. dnn=.."). */
  public static String key(String namespace, String slice) {
    return namespace + "/" + slice;
  }

  public int max() {
    return max;
  }

  public boolean isLimited() {
    return max > 0;
  }

  /**
   * Whether {@code owner} may have a UPF for {@code slice}: it already has one (or was admitted),
   * or the slice has a free slot that no UE Ready before it is waiting for.
   *
   * @param readyBeforeAndWaiting UEs of this slice Ready before this one and still without a UPF;
   *     asked only when a slot is free
   */
  public synchronized boolean admit(String slice, UpfKey upf, IntSupplier readyBeforeAndWaiting) {
    String owner = upf.cacheKey();
    if (max == 0) {
      return true;
    }
    Set<String> held = held(slice);
    if (held.contains(owner)) {
      return true;
    }
    int free = max - held.size();
    if (free <= 0 || readyBeforeAndWaiting.getAsInt() >= free) {
      return false;
    }
    release(owner);
    reserved.computeIfAbsent(slice, k -> new LinkedHashSet<>()).add(owner);
    reservedSlice.put(owner, slice);
    return true;
  }

  /** UPFs of {@code slice}: in the cache or admitted. */
  public synchronized int count(String slice) {
    return held(slice).size();
  }

  /** True when {@code owner} was admitted and its UPF may not be in the cache yet. */
  public synchronized boolean isReserved(UpfKey upf) {
    return reservedSlice.containsKey(upf.cacheKey());
  }

  /** Forgets {@code owner}'s admission; its slot is free once its UPF is gone from the cache too. */
  public synchronized void release(UpfKey upf) {
    release(upf.cacheKey());
  }

  private void release(String owner) {
    String slice = reservedSlice.remove(owner);
    if (slice != null) {
      Set<String> s = reserved.get(slice);
      s.remove(owner);
      if (s.isEmpty()) {
        reserved.remove(slice);
      }
    }
  }

  /** Records that {@code ue} waits for a slot of {@code slice}; true when it was not waiting for it before. */
  public synchronized boolean waits(String slice, UeKey ue) {
    String before = waitingSlice.put(ue, slice);
    if (slice.equals(before)) {
      return false;
    }
    if (before != null) {
      waiting.get(before).remove(ue);
    }
    waiting.computeIfAbsent(slice, k -> new LinkedHashSet<>()).add(ue);
    return true;
  }

  /** {@code ue} waits no more (it got its UPF, left the slice or is gone); returns the slice it waited for. */
  public synchronized String stopsWaiting(UeKey ue) {
    String slice = waitingSlice.remove(ue);
    if (slice != null) {
      waiting.get(slice).remove(ue); // an empty set stays: the slice's gauge then reads 0, not absent
    }
    return slice;
  }

  /** The UEs waiting for a slot of {@code slice}, in the order first refused. */
  public synchronized List<UeKey> waitersOf(String slice) {
    return new ArrayList<>(waiting.getOrDefault(slice, Set.of()));
  }

  /** Slice key -> number of UEs waiting, for metrics. */
  public synchronized Map<String, Integer> waitingBySlice() {
    Map<String, Integer> out = new TreeMap<>();
    waiting.forEach((slice, ues) -> out.put(slice, ues.size()));
    return out;
  }

  private Set<String> held(String slice) {
    Set<String> out = new LinkedHashSet<>(holders.apply(slice));
    out.addAll(reserved.getOrDefault(slice, Set.of()));
    return out;
  }
}
