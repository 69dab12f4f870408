package io.nexslice.dynamicslicing.smf;

import io.nexslice.dynamicslicing.slice.Slice;
import java.util.List;
import java.util.stream.Stream;

/**
 * A UPF as a free5GC SMF's topology holds it: what the controller registers and compares.
 *
 * @param name node name in the SMF: the UPF's name qualified by its namespace, unique per SMF
 * @param nodeId PFCP node id: the UPF Service's FQDN, as its upfcfg.yaml says
 * @param slice S-NSSAI and DNN the UPF serves
 * @param pools dynamic UE pools (CIDR): any subscriber of the slice may get an address from them
 * @param staticPools static pools: only subscribers whose static address lies in them
 */
public record SmfNode(String name, String nodeId, Slice slice, List<String> pools, List<String> staticPools) {

  public SmfNode {
    pools = List.copyOf(pools);
    staticPools = List.copyOf(staticPools);
  }

  /**
   * The node of the UPF {@code upfName} in {@code namespace}. A UE with a static address has its
   * address as a static pool and no dynamic pool, so the SMF gives this UPF to that UE alone.
   */
  public static SmfNode of(String namespace, String upfName, Slice slice, String pool, boolean staticAddress) {
    return new SmfNode(nodeName(namespace, upfName), upfName + "." + namespace + ".svc.cluster.local", slice,
        staticAddress ? List.of() : List.of(pool), staticAddress ? List.of(pool) : List.of());
  }

  /** "upf-ue1.nexslice": two namespaces may hold a UPF of the same name, one SMF must tell them apart. */
  public static String nodeName(String namespace, String upfName) {
    return upfName + "." + namespace;
  }

  /** Every pool, dynamic and static. */
  public List<String> allPools() {
    return Stream.concat(pools.stream(), staticPools.stream()).toList();
  }

  /** What must match for a node already in the SMF to be this one; the SMF reports node ids resolved, so not those. */
  public String fingerprint() {
    return fingerprint(slice.sst(), slice.sd().orElse(""), slice.dnn(), String.join(",", pools),
        String.join(",", staticPools));
  }

  static String fingerprint(int sst, String sd, String dnn, String pools, String staticPools) {
    return "sst=" + sst + " sd=" + sd.toUpperCase() + " dnn=" + dnn + " pools=" + pools + " static=" + staticPools;
  }
}
