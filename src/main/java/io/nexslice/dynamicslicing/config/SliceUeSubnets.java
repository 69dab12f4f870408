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
    for (String part : list.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("SLICE_UE_SUBNETS: '" + entry + "' is not dnn=cidr (e.g. " + NEXSLICE + ")");
      }
      String dnn = entry.substring(0, eq).trim();
      try {
        new Slice(1, Optional.empty(), dnn); // the DNN rules UE annotations follow
      } catch (IllegalArgumentException e) {
        throw new ConfigException("SLICE_UE_SUBNETS: " + e.getMessage());
      }
      String cidr;
      try {
        cidr = AddressPool.requireNetwork(entry.substring(eq + 1).trim());
      } catch (IllegalArgumentException e) {
        throw new ConfigException("SLICE_UE_SUBNETS: " + dnn + ": " + e.getMessage());
      }
      if (out.put(dnn, cidr) != null) {
        throw new ConfigException("SLICE_UE_SUBNETS: DNN " + dnn + " is listed twice");
      }
    }
    if (out.isEmpty()) {
      throw new ConfigException("SLICE_UE_SUBNETS: empty; give dnn=cidr pairs (e.g. " + NEXSLICE + ") or leave it unset");
    }
    return out;
  }
}
