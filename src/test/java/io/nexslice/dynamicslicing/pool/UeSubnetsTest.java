package io.nexslice.dynamicslicing.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UeSubnetsTest {
  private final PoolAllocator blocks = new PoolAllocator(new AddressPool("10.9.0.0/23", 24), b -> Map.of());

  @Test
  void smfSubnetsAreSharedByTheUpfsOfADnnAndTakeNoBlock() {
    Map<String, String> smf = Map.of("oai", "12.1.1.0/24");
    UeSubnets subnets = UeSubnets.fromSmf(dnn -> Optional.ofNullable(smf.get(dnn)));
    assertEquals(new UeSubnets.Assigned("12.1.1.0/24"), subnets.assign(new UpfKey("ns", "upf-a"), "oai", Optional.empty(), Optional.empty()));
    assertEquals(new UeSubnets.Assigned("12.1.1.0/24"), subnets.assign(new UpfKey("ns", "upf-b"), "oai", Optional.of("10.9.0.0/24"), Optional.empty()));
    assertEquals(new UeSubnets.NoSmfSubnet("internet"), subnets.assign(new UpfKey("ns", "upf-c"), "internet", Optional.empty(), Optional.empty()));
  }

  @Test
  void aStaticAddressIsItsUpfsWholePoolAndKeepsItsBlockFromEveryoneElse() {
    UeSubnets subnets = UeSubnets.fromPool(blocks);
    assertEquals(new UeSubnets.Assigned("10.9.0.7/32"), subnets.assign(new UpfKey("ns", "upf-s"), "dnn", Optional.empty(), Optional.of("10.9.0.7")));
    assertEquals(new UeSubnets.Assigned("10.9.0.8/32"), subnets.assign(new UpfKey("ns", "upf-t"), "dnn", Optional.empty(), Optional.of("10.9.0.8")),
        "two static addresses may share a block");
    assertEquals(new UeSubnets.Assigned("10.9.1.0/24"), subnets.assign(new UpfKey("ns", "upf-d"), "dnn", Optional.empty(), Optional.empty()),
        "no dynamic UPF gets the block with static addresses in it");
    assertEquals(new UeSubnets.AddressInvalid("is already bound to UPF ns/upf-s", true),
        subnets.assign(new UpfKey("ns", "upf-u"), "dnn", Optional.empty(), Optional.of("10.9.0.7")));
    assertEquals(new UeSubnets.AddressInvalid("lies in the UE pool 10.9.1.0/24 of UPF ns/upf-d, whose UEs the SMF could give it to", true),
        subnets.assign(new UpfKey("ns", "upf-u"), "dnn", Optional.empty(), Optional.of("10.9.1.9")));
    assertEquals(new UeSubnets.AddressInvalid("is outside UPF_POOL_CIDR (10.9.0.0/23 in /24 blocks)", false),
        subnets.assign(new UpfKey("ns", "upf-u"), "dnn", Optional.empty(), Optional.of("10.8.0.1")));
    for (String bad : new String[] {"10.9.0", "10.9.0.300", "10.9.0.1/32", "ten", "10.9.0.01"}) {
      assertEquals(new UeSubnets.AddressInvalid("is not an IPv4 address", false),
          subnets.assign(new UpfKey("ns", "upf-u"), "dnn", Optional.empty(), Optional.of(bad)), bad);
    }
    subnets.release(new UpfKey("ns", "upf-s"));
    subnets.release(new UpfKey("ns", "upf-t"));
    assertEquals(new UeSubnets.Assigned("10.9.0.7/32"), subnets.assign(new UpfKey("ns", "upf-u"), "dnn", Optional.empty(), Optional.of("10.9.0.7")),
        "free again once released");
  }

  @Test
  void staticAddressesInTheCacheCountLikeReservations() {
    AddressPool pool = new AddressPool("10.9.0.0/23", 24);
    PoolAllocator cached = new PoolAllocator(pool, new CachedPools(pool).put("ns/upf-old", "10.9.0.7/32"));
    UeSubnets subnets = UeSubnets.fromPool(cached);
    assertEquals(new UeSubnets.AddressInvalid("is already bound to UPF ns/upf-old", true),
        subnets.assign(new UpfKey("ns", "upf-new"), "dnn", Optional.empty(), Optional.of("10.9.0.7")));
    assertEquals(new UeSubnets.Assigned("10.9.0.7/32"), subnets.assign(new UpfKey("ns", "upf-old"), "dnn", Optional.of("10.9.0.7/32"), Optional.of("10.9.0.7")),
        "its holder keeps it across a restart");
    assertEquals(new UeSubnets.Assigned("10.9.1.0/24"), subnets.assign(new UpfKey("ns", "upf-d"), "dnn", Optional.empty(), Optional.empty()));
  }

  @Test
  void poolBlocksAreOwnAndRunOut() {
    UeSubnets subnets = UeSubnets.fromPool(blocks);
    assertEquals(new UeSubnets.Assigned("10.9.0.0/24"), subnets.assign(new UpfKey("ns", "upf-a"), "oai", Optional.empty(), Optional.empty()));
    assertEquals(new UeSubnets.Assigned("10.9.1.0/24"), subnets.assign(new UpfKey("ns", "upf-b"), "oai", Optional.empty(), Optional.empty()));
    assertEquals(new UeSubnets.Exhausted("10.9.0.0/23 in /24 blocks"), subnets.assign(new UpfKey("ns", "upf-c"), "oai", Optional.empty(), Optional.empty()));
    subnets.release(new UpfKey("ns", "upf-a"));
    assertEquals(new UeSubnets.Assigned("10.9.0.0/24"), subnets.assign(new UpfKey("ns", "upf-c"), "oai", Optional.empty(), Optional.empty()));
  }

  @Test
  void aRecordedPoolThatCannotBeKeptIsReplacedAndSaysWhy() {
    AddressPool pool = new AddressPool("10.9.0.0/23", 29);
    UeSubnets subnets = UeSubnets.fromPool(new PoolAllocator(pool, new CachedPools(pool)
        .put("ns/upf-a", "10.9.0.0/24").put("ns/upf-b", "10.9.0.0/29")));
    assertEquals(new UeSubnets.Assigned("10.9.0.0/24"),
        subnets.assign(new UpfKey("ns", "upf-a"), "dnn", Optional.of("10.9.0.0/24"), Optional.empty()),
        "a /24 from before the default became /29 is kept, with nothing to say");
    assertEquals(new UeSubnets.Assigned("10.9.1.0/29", Optional.of("10.9.0.0/29 overlaps the UE pool 10.9.0.0/24 of UPF ns/upf-a")),
        subnets.assign(new UpfKey("ns", "upf-b"), "dnn", Optional.of("10.9.0.0/29"), Optional.empty()));
    assertEquals(new UeSubnets.Assigned("10.9.1.8/29",
            Optional.of("10.8.0.0/24 is not a block of UPF_POOL_CIDR (10.9.0.0/23 in /29 blocks)")),
        subnets.assign(new UpfKey("ns", "upf-c"), "dnn", Optional.of("10.8.0.0/24"), Optional.empty()));
    assertEquals(new UeSubnets.Assigned("10.9.1.16/29"),
        subnets.assign(new UpfKey("ns", "upf-d"), "dnn", Optional.of("10.9.1.40/32"), Optional.empty()),
        "a static address given up is the UE owner's change, not a pool lost");
  }
}
