package io.nexslice.dynamicslicing.profile;

import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.slice.Slice;

/**
 * Everything a profile may put into a UPF, already validated: names are DNS labels, the slice
 * is checked, the block is one of the pool's. Image and replicas come from the operator only.
 *
 * @param ue the UE pod served (per-UE mode) or the first UE of the group
 * @param name name of the Deployment, Service and ConfigMap
 * @param namespace where they live
 * @param slice S-NSSAI and DNN served
 * @param ueBlock the UE address block (CIDR) this UPF owns
 * @param image the container image (operator's UPF_IMAGE or the profile's default)
 * @param nrfHost NRF the UPF registers in (OAI)
 */
public record UpfSpec(UeRef ue, String name, String namespace, Slice slice, String ueBlock, String image,
    String nrfHost) {

  /** The UPF Service's DNS name, what the SMF reaches it by (PFCP node id). */
  public String serviceFqdn() {
    return name + "." + namespace + ".svc.cluster.local";
  }
}
