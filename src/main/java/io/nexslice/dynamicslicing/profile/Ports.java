package io.nexslice.dynamicslicing.profile;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1ServicePort;
import java.util.Map;

/** The ports and resources UPFs share. */
public final class Ports {
  public static final int PFCP = 8805;
  public static final int GTPU = 2152;
  public static final int SBI = 80;

  private Ports() {}

  static V1ContainerPort container(String name, int port, String protocol) {
    return new V1ContainerPort().name(name).containerPort(port).protocol(protocol);
  }

  static V1ServicePort service(String name, int port, String protocol) {
    return new V1ServicePort().name(name).port(port).targetPort(new IntOrString(port)).protocol(protocol);
  }

  /** The proof of concept's numbers: enough for a lab UPF, bounded so a burst cannot starve a node. */
  static V1ResourceRequirements defaultResources() {
    return new V1ResourceRequirements()
        .requests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")))
        .limits(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("512Mi")));
  }
}
