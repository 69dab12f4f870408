package io.nexslice.dynamicslicing.profile;

import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Service;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.pool.AddressPool;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A UPF described by the operator's own template file (UPF_TEMPLATE): a multi-document YAML
 * with one Deployment, one Service and at most one ConfigMap, using the placeholders below. A
 * new kind of UPF needs no Java. The template is the operator's, so it may ask for any privilege;
 * the placeholder values are all validated (DNS names, checked slice, pool CIDR), so nothing a
 * UE's owner writes can inject YAML.
 */
public final class CustomUpfProfile implements UpfProfile {
  public static final String NAME = "custom";
  /** Placeholder names, documented in docs/UPF-PROFILES.md. */
  public static final Set<String> PLACEHOLDERS = Set.of("UPF_NAME", "NAMESPACE", "UE_POD", "IMAGE", "SST", "SD",
      "DNN", "UE_POOL", "UE_POOL_GATEWAY", "NRF_HOST", "SERVICE_FQDN");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

  private final String template;
  private final String source;
  private final JSON json = new JSON();

  /**
   * @param template the template text
   * @param source where it came from, for messages
   * @throws IllegalArgumentException when the template uses unknown placeholders or does not
   *     render to a Deployment, a Service and at most one ConfigMap
   */
  public CustomUpfProfile(String template, String source) {
    this.template = template;
    this.source = source;
    Set<String> unknown = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (!PLACEHOLDERS.contains(m.group(1))) {
        unknown.add(m.group(1));
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(source + ": unknown placeholders " + unknown + "; known: "
          + new TreeSet<>(PLACEHOLDERS));
    }
  }

  /** True when the template takes its image from ${IMAGE}, so UPF_IMAGE must be set. */
  public boolean usesImagePlaceholder() {
    return template.contains("${IMAGE}");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String defaultImage() {
    return null; // the template names its image, or takes ${IMAGE} from UPF_IMAGE
  }

  @Override
  public UpfObjects render(UpfSpec spec) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("UPF_NAME", spec.name());
    values.put("NAMESPACE", spec.namespace());
    values.put("UE_POD", spec.ue().name());
    values.put("IMAGE", spec.image() == null ? "" : spec.image());
    values.put("SST", Integer.toString(spec.slice().sst()));
    values.put("SD", spec.slice().sd().orElse(""));
    values.put("DNN", spec.slice().dnn());
    values.put("UE_POOL", spec.ueBlock());
    values.put("UE_POOL_GATEWAY", AddressPool.gateway(spec.ueBlock()));
    values.put("NRF_HOST", spec.nrfHost());
    values.put("SERVICE_FQDN", spec.serviceFqdn());
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
    }
    m.appendTail(out);

    V1Deployment deployment = null;
    V1Service service = null;
    V1ConfigMap configMap = null;
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    for (Object doc : new Yaml(new SafeConstructor(options)).loadAll(out.toString())) {
      if (doc == null) {
        continue;
      }
      if (!(doc instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException(source + ": a document is not a mapping");
      }
      String kind = String.valueOf(map.get("kind"));
      String body = json.getGson().toJson(kind.equals("Deployment") ? withSelector(map) : map);
      switch (kind) {
        case "Deployment" -> deployment = only(deployment, json.deserialize(body, V1Deployment.class), kind);
        case "Service" -> service = only(service, json.deserialize(body, V1Service.class), kind);
        case "ConfigMap" -> configMap = only(configMap, json.deserialize(body, V1ConfigMap.class), kind);
        default -> throw new IllegalArgumentException(source + ": kind '" + kind
            + "' is not one of Deployment, Service, ConfigMap");
      }
    }
    if (deployment == null || service == null) {
      throw new IllegalArgumentException(source + ": needs one Deployment and one Service");
    }
    if (deployment.getSpec() == null || deployment.getSpec().getTemplate() == null
        || deployment.getSpec().getTemplate().getSpec() == null
        || deployment.getSpec().getTemplate().getSpec().getContainers().isEmpty()) {
      throw new IllegalArgumentException(source + ": the Deployment has no pod template with containers");
    }
    return new UpfObjects(deployment, service, configMap);
  }

  /**
   * The client's model insists on spec.selector; the template need not write one, since
   * UpfDesiredState sets the selector of every UPF Deployment itself.
   */
  @SuppressWarnings("unchecked")
  private static Map<?, ?> withSelector(Map<?, ?> deployment) {
    Object spec = deployment.get("spec");
    if (spec instanceof Map<?, ?> s && s.get("selector") == null) {
      ((Map<String, Object>) s).put("selector", new LinkedHashMap<>());
    }
    return deployment;
  }

  private <T> T only(T existing, T next, String kind) {
    if (existing != null) {
      throw new IllegalArgumentException(source + ": more than one " + kind);
    }
    return next;
  }
}
