package io.nexslice.dynamicslicing.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The operator's configuration, read once from the environment and validated at start.
 *
 * <p>Only the operator sets these (the controller's Deployment); nothing a UE pod's owner writes
 * reaches here, which is why the UPF image and replica count live in this record and nowhere else.
 *
 * @param watchNamespaces namespaces whose UE pods are served; empty means every namespace
 * @param ueSelector which pods are UEs
 * @param upfImage image of every UPF container
 * @param upfReplicas replicas of every UPF Deployment
 * @param httpPort port of /healthz, /readyz, /metrics and /api
 * @param workers reconcile workers per watched namespace
 */
public record ControllerConfig(
    List<String> watchNamespaces,
    LabelSelector ueSelector,
    String upfImage,
    int upfReplicas,
    int httpPort,
    int workers) {

  public static final String DEFAULT_NAMESPACE = "nexslice";
  public static final String DEFAULT_SELECTOR = "nexslice.io/dynamic-upf=true";
  public static final String DEFAULT_UPF_IMAGE = "oaisoftwarealliance/oai-upf:v2.1.0";

  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  // An image reference: no whitespace, no shell or YAML metacharacters.
  private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]*");

  public ControllerConfig {
    watchNamespaces = List.copyOf(watchNamespaces);
  }

  /** True when the controller watches every namespace (WATCH_NAMESPACES=*). */
  public boolean watchesAllNamespaces() {
    return watchNamespaces.isEmpty();
  }

  /** Reads and validates the configuration; throws ConfigException naming the bad variable. */
  public static ControllerConfig fromEnvironment(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    return new ControllerConfig(
        namespaces(r.string("WATCH_NAMESPACES", DEFAULT_NAMESPACE)),
        selector(r.string("UE_SELECTOR", DEFAULT_SELECTOR)),
        image(r.string("UPF_IMAGE", DEFAULT_UPF_IMAGE)),
        r.integer("UPF_REPLICAS", 1, 0, 100),
        r.integer("HTTP_PORT", 8080, 0, 65535),
        r.integer("WORKER_COUNT", 4, 1, 64));
  }

  private static List<String> namespaces(String value) {
    if (value.trim().equals("*")) {
      return List.of();
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String part : value.split(",")) {
      String ns = part.trim();
      if (ns.isEmpty()) {
        continue;
      }
      if (ns.length() > 63 || !DNS1123_LABEL.matcher(ns).matches()) {
        throw new ConfigException("WATCH_NAMESPACES: '" + ns + "' is not a namespace name"
            + " (lower-case letters, digits and '-', at most 63); use '*' for every namespace");
      }
      out.add(ns);
    }
    if (out.isEmpty()) {
      throw new ConfigException("WATCH_NAMESPACES: empty; give a comma list of namespaces or '*'");
    }
    return new ArrayList<>(out);
  }

  private static LabelSelector selector(String value) {
    try {
      return LabelSelector.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("UE_SELECTOR: " + e.getMessage()
          + "; expected a label selector such as '" + DEFAULT_SELECTOR + "'");
    }
  }

  private static String image(String value) {
    String v = value.trim();
    if (v.isEmpty() || v.length() > 512 || !IMAGE.matcher(v).matches()) {
      throw new ConfigException("UPF_IMAGE: '" + value + "' is not an image reference"
          + " (registry/name:tag or name@sha256:digest)");
    }
    return v;
  }
}
