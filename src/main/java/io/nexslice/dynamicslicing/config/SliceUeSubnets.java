package io.nexslice.dynamicslicing.config;

import io.nexslice.dynamicslicing.pool.AddressPool;
import io.nexslice.dynamicslicing.slice.Slice;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The UE subnet of each DNN as the SMF hands addresses out (SLICE_UE_SUBNETS). The OAI SMF gives
 * a UE its address from its own {@code dnns[].ipv4_subnet}, whatever the UPF's configuration
 * says, so an OAI UPF must route that subnet, not a block of UPF_POOL_CIDR.
 *
 * @param byDnn UE subnet (CIDR) per DNN
 */
public record SliceUeSubnets(Map<String, String> byDnn) {
  /** NexSlice's SMF pools: one /24 per slice's DNN. */
  public static final String NEXSLICE = "oai=12.1.1.0/24,oai2=12.1.2.0/24,oai3=12.1.3.0/24";

  public SliceUeSubnets {
    byDnn = Map.copyOf(byDnn);
  }

  public Optional<String> forDnn(String dnn) {
    return Optional.ofNullable(byDnn.get(dnn));
  }

  static SliceUeSubnets fromEnvironment(EnvReader r) {
    return new SliceUeSubnets(parse(r.string("SLICE_UE_SUBNETS", NEXSLICE)));
  }

  /** "dnn=cidr,dnn=cidr"; throws ConfigException naming SLICE_UE_SUBNETS. */
  static Map<String, String> parse(String list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : EnvReader.pairs("SLICE_UE_SUBNETS", list, NEXSLICE)) {
      String dnn = e.getKey();
      try {
        new Slice(1, Optional.empty(), dnn); // the DNN rules UE annotations follow
      } catch (IllegalArgumentException x) {
        throw new ConfigException("SLICE_UE_SUBNETS: " + x.getMessage());
      }
      try {
        out.put(dnn, AddressPool.requireNetwork(e.getValue()));
      } catch (IllegalArgumentException x) {
        throw new ConfigException("SLICE_UE_SUBNETS: " + dnn + ": " + x.getMessage());
      }
    }
    return out;
  }
}
