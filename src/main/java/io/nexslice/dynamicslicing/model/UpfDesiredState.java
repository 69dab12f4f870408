package io.nexslice.dynamicslicing.model;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.custom.IntOrString;
import io.nexslice.dynamicslicing.Names;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the UPF a UE should have: a pure function of the UE's identity and the operator's
 * settings. Nothing read from the UE pod besides its name and uid reaches the objects, so what a
 * UE's owner writes can never choose the image, the privileges or host access.
 */
public final class UpfDesiredState {
  public static final int PFCP_PORT = 8805;
  public static final int GTPU_PORT = 2152;

  private final String image;
  private final int replicas;

  public UpfDesiredState(String image, int replicas) {
    this.image = image;
    this.replicas = replicas;
  }

  public UpfObjects build(UeRef ue) {
    String name = UpfNames.forPod(ue.name());
    Map<String, String> selector = selectorLabels(ue);
    return new UpfObjects(deployment(ue, name, selector), service(ue, name, selector));
  }

  /** Labels that identify the pods of one UE's UPF; immutable in a Deployment, so kept minimal. */
  static Map<String, String> selectorLabels(UeRef ue) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Names.LABEL_NAME, Names.UPF_APP);
    labels.put(Names.LABEL_MANAGED_BY, Names.CONTROLLER);
    labels.put(Names.LABEL_UE, UpfNames.ueLabelValue(ue.name()));
    return labels;
  }

  private static V1ObjectMeta metadata(UeRef ue, String name, Map<String, String> selector) {
    Map<String, String> labels = new LinkedHashMap<>(selector);
    labels.put(Names.LABEL_COMPONENT, "user-plane");
    return new V1ObjectMeta()
        .name(name)
        .namespace(ue.namespace())
        .labels(labels)
        .annotations(Map.of(Names.ANNOTATION_UE_POD, ue.name()))
        // No blockOwnerDeletion: it needs permission to set finalizers on pods, which a
        // least-privilege controller does not have; the garbage collector works without it.
        .ownerReferences(List.of(new V1OwnerReference()
            .apiVersion("v1").kind("Pod").name(ue.name()).uid(ue.uid()).controller(true)));
  }

  private V1Deployment deployment(UeRef ue, String name, Map<String, String> selector) {
    V1Container upf = new V1Container()
        .name("upf")
        .image(image)
        .ports(List.of(
            new V1ContainerPort().name("pfcp").containerPort(PFCP_PORT).protocol("UDP"),
            new V1ContainerPort().name("gtpu").containerPort(GTPU_PORT).protocol("UDP")))
        .resources(new V1ResourceRequirements()
            .requests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")))
            .limits(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("512Mi"))));
    V1PodSpec podSpec = new V1PodSpec().containers(List.of(upf));
    // client-java sends "overhead": {} by default, which a real API server rejects (403).
    podSpec.setOverhead(null);
    return new V1Deployment()
        .apiVersion("apps/v1")
        .kind("Deployment")
        .metadata(metadata(ue, name, selector))
        .spec(new V1DeploymentSpec()
            .replicas(replicas)
            // A UPF holds its PFCP association and GTP-U state; two at once would confuse the SMF.
            .strategy(new V1DeploymentStrategy().type("Recreate"))
            .selector(new V1LabelSelector().matchLabels(selector))
            .template(new V1PodTemplateSpec()
                .metadata(new V1ObjectMeta().labels(metadata(ue, name, selector).getLabels()))
                .spec(podSpec)));
  }

  private static V1Service service(UeRef ue, String name, Map<String, String> selector) {
    return new V1Service()
        .apiVersion("v1")
        .kind("Service")
        .metadata(metadata(ue, name, selector))
        .spec(new V1ServiceSpec()
            .selector(selector)
            .ports(List.of(
                new V1ServicePort().name("pfcp").port(PFCP_PORT).targetPort(new IntOrString(PFCP_PORT)).protocol("UDP"),
                new V1ServicePort().name("gtpu").port(GTPU_PORT).targetPort(new IntOrString(GTPU_PORT)).protocol("UDP"))));
  }
}
