package io.nexslice.dynamicslicing.model;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Service;
import java.util.ArrayList;
import java.util.List;

/** The objects that make up one UPF; {@code configMap} is null for a profile without one. */
public record UpfObjects(V1Deployment deployment, V1Service service, V1ConfigMap configMap) {

  /** In apply order: the config before the pods that mount it. */
  public List<KubernetesObject> all() {
    List<KubernetesObject> out = new ArrayList<>();
    if (configMap != null) {
      out.add(configMap);
    }
    out.add(deployment);
    out.add(service);
    return out;
  }
}
