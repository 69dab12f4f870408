package io.nexslice.dynamicslicing.profile;

import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapVolumeSource;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1ObjectFieldSelector;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.nexslice.dynamicslicing.model.UpfObjects;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * free5GC UPF (upfcfg.yaml version 1.0.3). The image has no entrypoint: a wrapper script sets
 * up forwarding and NAT for the UE block, puts the pod's IP into the config (PFCP and GTP-U
 * cannot listen on 0.0.0.0) and runs {@code upf -c}. Needs NET_ADMIN and the gtp5g kernel
 * module on the node. free5GC's SMF lists UPFs statically: see docs/UPF-PROFILES.md.
 */
public final class Free5gcUpfProfile implements UpfProfile {
  public static final String NAME = "free5gc";
  public static final String CONFIG_DIR = "/free5gc/config";
  public static final String CONFIG_KEY = "upfcfg.yaml";
  public static final String WRAPPER_KEY = "wrapper.sh";
  static final String POD_IP_PLACEHOLDER = "__POD_IP__";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String defaultImage() {
    return "free5gc/upf:v3.4.4";
  }

  @Override
  public UpfObjects render(UpfSpec spec) {
    V1Container upf = new V1Container()
        .name("upf")
        .image(spec.image())
        .command(List.of("/bin/sh", CONFIG_DIR + "/" + WRAPPER_KEY))
        .env(List.of(new V1EnvVar().name("POD_IP")
            .valueFrom(new V1EnvVarSource().fieldRef(new V1ObjectFieldSelector().fieldPath("status.podIP")))))
        .ports(List.of(Ports.container("pfcp", Ports.PFCP, "UDP"), Ports.container("gtpu", Ports.GTPU, "UDP")))
        .securityContext(new V1SecurityContext().capabilities(new V1Capabilities().add(List.of("NET_ADMIN"))))
        .volumeMounts(List.of(new V1VolumeMount().name("configuration").mountPath(CONFIG_DIR)))
        .resources(Ports.defaultResources());
    V1PodSpec pod = new V1PodSpec()
        .containers(List.of(upf))
        .volumes(List.of(new V1Volume().name("configuration")
            .configMap(new V1ConfigMapVolumeSource().name(spec.name()))));
    V1Deployment deployment = new V1Deployment()
        .spec(new V1DeploymentSpec().template(new V1PodTemplateSpec().spec(pod)));
    V1Service service = new V1Service().spec(new V1ServiceSpec().ports(List.of(
        Ports.service("pfcp", Ports.PFCP, "UDP"), Ports.service("gtpu", Ports.GTPU, "UDP"))));
    Map<String, String> data = new LinkedHashMap<>();
    data.put(CONFIG_KEY, config(spec));
    data.put(WRAPPER_KEY, wrapper(spec));
    return new UpfObjects(deployment, service, new V1ConfigMap().data(data));
  }

  static String config(UpfSpec spec) {
    Map<String, Object> pfcp = new LinkedHashMap<>();
    pfcp.put("addr", POD_IP_PLACEHOLDER);
    pfcp.put("nodeID", spec.serviceFqdn());
    pfcp.put("retransTimeout", "1s");
    pfcp.put("maxRetrans", 3);
    Map<String, Object> gtpu = new LinkedHashMap<>();
    gtpu.put("forwarder", "gtp5g");
    gtpu.put("ifList", List.of(YamlText.ordered("addr", POD_IP_PLACEHOLDER, "type", "N3")));
    Map<String, Object> dnn = new LinkedHashMap<>();
    dnn.put("dnn", spec.slice().dnn());
    dnn.put("cidr", spec.ueBlock());
    dnn.put("natifname", "eth0");
    Map<String, Object> logger = new LinkedHashMap<>();
    logger.put("enable", true);
    logger.put("level", "info");
    logger.put("reportCaller", false);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", "1.0.3");
    root.put("description", "UPF " + spec.name() + " for " + spec.slice() + ", made by dynamic-slicing");
    root.put("pfcp", pfcp);
    root.put("gtpu", gtpu);
    root.put("dnnList", List.of(dnn));
    root.put("logger", logger);
    return YamlText.dump(root);
  }

  static String wrapper(UpfSpec spec) {
    // Every value below is validated (a CIDR from the pool), never text from the UE's owner.
    return String.join("\n",
        "#!/bin/sh",
        "# Made by dynamic-slicing for " + spec.name() + ": forwarding and NAT for the UE block, then the UPF.",
        "set -e",
        "iptables -A FORWARD -j ACCEPT",
        "iptables -t nat -A POSTROUTING -s " + spec.ueBlock() + " -o eth0 -j MASQUERADE",
        "sed \"s/" + POD_IP_PLACEHOLDER + "/${POD_IP}/g\" " + CONFIG_DIR + "/" + CONFIG_KEY + " > /tmp/" + CONFIG_KEY,
        "exec /free5gc/upf -c /tmp/" + CONFIG_KEY,
        "");
  }
}
