package io.nexslice.dynamicslicing.pool;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What the Deployment informer's pool index answers, for UPFs whose Deployments record the pools
 * given here: for a block, every UPF whose pool overlaps it, filed as the controller's index files
 * them (AddressPool.blocksOverlapping).
 */
final class CachedPools implements Function<String, Map<String, String>> {
  private final AddressPool pool;
  private final Map<String, String> recorded = new HashMap<>();

  CachedPools(AddressPool pool) {
    this.pool = pool;
  }

  /** UPF {@code owner}'s Deployment, recording {@code cidr}, is in the cache. */
  CachedPools put(String owner, String cidr) {
    recorded.put(owner, cidr);
    return this;
  }

  /** UPF {@code owner}'s Deployment is gone from the cache. */
  void remove(String owner) {
    recorded.remove(owner);
  }

  @Override
  public Map<String, String> apply(String block) {
    Map<String, String> out = new HashMap<>();
    recorded.forEach((owner, cidr) -> {
      if (pool.blocksOverlapping(cidr).contains(block)) {
        out.put(owner, cidr);
      }
    });
    return out;
  }
}
