package io.nexslice.dynamicslicing.profile;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapVolumeSource;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1ExecAction;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.nexslice.dynamicslicing.model.UpfObjects;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.nexslice.dynamicslicing.profile.YamlText.ordered;

/**
 * OpenAirInterface UPF v2.x, as NexSlice runs it: config.yaml mounted at /openair-upf/etc,
 * privileged (it creates its GTP tunnel devices), readiness from the image's healthcheck.sh. It
 * registers in the NRF with the UE's S-NSSAI and DNN (upf_info), which is how the slice's SMF
 * discovers and selects it: no SMF change needed.
 */
public final class OaiUpfProfile implements UpfProfile {
  public static final String NAME = "oai";
  public static final String CONFIG_DIR = "/openair-upf/etc";
  public static final String CONFIG_KEY = "config.yaml";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String defaultImage() {
    return "oaisoftwarealliance/oai-upf:v2.1.0";
  }

  @Override
  public boolean smfAssignsAddresses() {
    return true; // the OAI SMF's dnns[].ipv4_subnet; the UPF's own dnns are only its routes
  }

  @Override
  public UpfObjects render(UpfSpec spec) {
    V1Container upf = new V1Container()
        .name("upf")
        .image(spec.image())
        .ports(List.of(
            Ports.container("pfcp", Ports.PFCP, "UDP"),
            Ports.container("gtpu", Ports.GTPU, "UDP"),
            Ports.container("sbi", Ports.SBI, "TCP")))
        .securityContext(new V1SecurityContext().privileged(true))
        .volumeMounts(List.of(new V1VolumeMount().name("configuration").mountPath(CONFIG_DIR)))
        .readinessProbe(new V1Probe()
            .exec(new V1ExecAction().command(List.of("/bin/bash", "/openair-upf/bin/healthcheck.sh")))
            .initialDelaySeconds(2).periodSeconds(3))
        .resources(Ports.defaultResources());
    V1PodSpec pod = new V1PodSpec()
        .containers(List.of(upf))
        .terminationGracePeriodSeconds(5L)
        .volumes(List.of(new V1Volume().name("configuration")
            .configMap(new V1ConfigMapVolumeSource().name(spec.name()))));
    V1Deployment deployment = new V1Deployment()
        .spec(new V1DeploymentSpec().template(new V1PodTemplateSpec().spec(pod)));
    V1Service service = new V1Service().spec(new V1ServiceSpec().ports(List.of(
        Ports.service("pfcp", Ports.PFCP, "UDP"),
        Ports.service("gtpu", Ports.GTPU, "UDP"),
        Ports.service("sbi", Ports.SBI, "TCP"))));
    V1ConfigMap config = new V1ConfigMap().data(new LinkedHashMap<>(Map.of(CONFIG_KEY, config(spec))));
    return new UpfObjects(deployment, service, config);
  }

  /** The OAI CN5G unified config.yaml, with only what a UPF reads. */
  static String config(UpfSpec spec) {
    Map<String, Object> upfNf = ordered(
        "host", spec.name(),
        "sbi", sbi(),
        "n3", ordered("interface_name", "eth0", "port", Ports.GTPU),
        "n4", ordered("interface_name", "eth0", "port", Ports.PFCP),
        "n6", ordered("interface_name", "eth0"),
        "n9", ordered("interface_name", "eth0", "port", Ports.GTPU));
    Map<String, Object> upf = ordered(
        "support_features", ordered("enable_bpf_datapath", "no", "enable_snat", "yes"),
        "remote_n6_gw", "localhost",
        "upf_info", ordered("sNssaiUpfInfoList", List.of(ordered(
            "sNssai", snssai(spec),
            "dnnUpfInfoList", List.of(ordered("dnn", spec.slice().dnn()))))));
    Map<String, Object> root = ordered(
        "log_level", ordered("general", "info"),
        "register_nf", ordered("general", "yes"),
        "http_version", 2,
        "snssais", List.of(snssai(spec)),
        "nfs", ordered("nrf", ordered("host", spec.nrfHost(), "sbi", sbi()), "upf", upfNf),
        "upf", upf,
        "dnns", List.of(ordered("dnn", spec.slice().dnn(), "pdu_session_type", "IPV4",
            "ipv4_subnet", spec.ueBlock())));
    return YamlText.dump(root);
  }

  private static Map<String, Object> snssai(UpfSpec spec) {
    Map<String, Object> snssai = ordered("sst", spec.slice().sst());
    spec.slice().sd().ifPresent(sd -> snssai.put("sd", sd)); // a string: the dumper quotes numeric-looking ones
    return snssai;
  }

  private static Map<String, Object> sbi() {
    return ordered("port", Ports.SBI, "api_version", "v1", "interface_name", "eth0");
  }
}
