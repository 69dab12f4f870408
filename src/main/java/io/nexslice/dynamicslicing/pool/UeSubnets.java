package io.nexslice.dynamicslicing.pool;

import java.util.Optional;
import java.util.function.Function;

/**
 * Chooses the UE subnet a UPF routes. Where the SMF assigns UE addresses from its own pool per DNN
 * (OAI), every UPF of that DNN routes the SMF's subnet, shared and never cut from UPF_POOL_CIDR.
 * Where the SMF takes the pool from the UPF (free5GC, custom), each UPF gets a block of its own.
 */
public final class UeSubnets {
  /** What a UPF gets. */
  public sealed interface Assignment permits Assigned, Exhausted, NoSmfSubnet, AddressInvalid {}

  /**
   * The subnet to write into the UPF. {@code replaced}, when the UPF's objects record another pool
   * that it could not keep: that pool and why (a live UPF moved: its UE's sessions break).
   */
  public record Assigned(String subnet, Optional<String> replaced) implements Assignment {
    public Assigned(String subnet) {
      this(subnet, Optional.empty());
    }
  }

  /** No block of UPF_POOL_CIDR is free. */
  public record Exhausted(String pool) implements Assignment {}

  /** The SMF assigns addresses for this DNN, but the operator did not say from which subnet. */
  public record NoSmfSubnet(String dnn) implements Assignment {}

  /** The UE's static address cannot be bound; {@code mayFree}: another UPF holds it, look again later. */
  public record AddressInvalid(String reason, boolean mayFree) implements Assignment {}

  /** Null when the SMF assigns addresses: no block is ever taken. */
  private final PoolAllocator blocks;
  private final Optional<Function<String, Optional<String>>> smfSubnetByDnn;

  private UeSubnets(PoolAllocator blocks, Optional<Function<String, Optional<String>>> smfSubnetByDnn) {
    this.blocks = blocks;
    this.smfSubnetByDnn = smfSubnetByDnn;
  }

  /** Each UPF its own block of the controller's pool. */
  public static UeSubnets fromPool(PoolAllocator blocks) {
    return new UeSubnets(blocks, Optional.empty());
  }

  /** Each UPF the SMF's subnet of its DNN; the pool is never used. */
  public static UeSubnets fromSmf(Function<String, Optional<String>> subnetByDnn) {
    return new UeSubnets(null, Optional.of(subnetByDnn));
  }

  /**
   * @param owner the UPF the subnet is for
   * @param dnn the DNN the UPF serves
   * @param current the subnet the UPF's objects already record, kept when still valid
   * @param staticAddress the UE's static address (its own pool, where the core takes the UPF's)
   */
  public Assignment assign(UpfKey owner, String dnn, Optional<String> current, Optional<String> staticAddress) {
    if (smfSubnetByDnn.isPresent()) {
      return smfSubnetByDnn.get().apply(dnn).<Assignment>map(Assigned::new).orElse(new NoSmfSubnet(dnn));
    }
    if (staticAddress.isPresent()) {
      PoolAllocator.StaticClaim claim = blocks.allocateStatic(owner, staticAddress.get());
      return claim instanceof PoolAllocator.Bound b ? new Assigned(b.cidr())
          : new AddressInvalid(((PoolAllocator.Refused) claim).reason(), ((PoolAllocator.Refused) claim).mayFree());
    }
    Optional<String> block = blocks.allocate(owner, current);
    if (block.isEmpty()) {
      return new Exhausted(blocks.pool().toString());
    }
    // A static address given up (a /32) is the UE owner's change, not a pool the UPF lost.
    Optional<String> lost = current.filter(c -> !c.equals(block.get()) && !c.endsWith("/32"));
    return new Assigned(block.get(), lost.map(c -> c + " "
        + blocks.whyNotKept(owner, c).orElse("was taken by another UPF meanwhile")));
  }

  /** True when the SMF hands out UE addresses itself: a UE's static address then binds nothing. */
  public boolean smfAssigns() {
    return smfSubnetByDnn.isPresent();
  }

  /** Forgets {@code owner}'s reservation, if it had one. */
  public void release(UpfKey owner) {
    if (blocks != null) {
      blocks.release(owner);
    }
  }
}
