package io.nexslice.dynamicslicing.config;

import io.nexslice.dynamicslicing.pool.AddressPool;
import io.nexslice.dynamicslicing.slice.Slice;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The operator's configuration, read once from the environment and validated at start.
 *
 * <p>Only the operator sets these (the controller's Deployment); nothing a UE pod's owner writes
 * reaches here, which is why image, profile (and so privileges) live in this record only.
 *
 * @param watchNamespaces namespaces whose UE pods are served; empty means every namespace
 * @param ueSelector which pods are UEs
 * @param upfProfile oai, free5gc or custom
 * @param upfTemplate the custom profile's template file, when upfProfile is custom
 * @param upfImage the operator's image for every UPF; empty means the profile's default
 * @param upfReplicas replicas of every UPF Deployment
 * @param nrfHosts the NRF an OAI UPF registers in, by its slice's SST
 * @param defaultSlice slice and DNN of a UE that says nothing about it
 * @param pool the range UE address blocks are cut from, in blocks whose default size depends on the mode
 * @param sliceUeSubnets the SMF's UE subnet per DNN, which OAI UPFs route instead of a pool block
 * @param maxUpfsPerSlice the most per-UE UPFs one (namespace, S-NSSAI, DNN) may have; 0 is no limit
 * @param free5gcSmf the free5GC SMF UPFs are registered with at run time (FREE5GC_SMF_URL), if any
 * @param free5gcAnName the access node UPFs are linked from in that SMF's topology
 * @param httpPort port of /healthz, /readyz, /metrics and /api
 * @param workers reconcile workers per watched namespace
 * @param mode per-ue (a UPF per UE) or per-slice (a UPF per namespace, S-NSSAI and DNN)
 * @param uesPerReplica per-slice scaling: replicas = ceil(UEs / this); empty means fixed upfReplicas
 * @param maxReplicas upper bound of that scaling
 * @param leaderElection whether and how replicas elect the one that reconciles
 * @param logFormat text or json (LOG_FORMAT; logback reads it, validated here)
 */
public record ControllerConfig(
    List<String> watchNamespaces,
    LabelSelector ueSelector,
    String upfProfile,
    Optional<Path> upfTemplate,
    Optional<String> upfImage,
    int upfReplicas,
    NrfHosts nrfHosts,
    Slice defaultSlice,
    AddressPool pool,
    SliceUeSubnets sliceUeSubnets,
    int maxUpfsPerSlice,
    Optional<URI> free5gcSmf,
    String free5gcAnName,
    int httpPort,
    int workers,
    UpfMode mode,
    Optional<Integer> uesPerReplica,
    int maxReplicas,
    LeaderElectionSettings leaderElection,
    String logFormat) {

  public static final String DEFAULT_NAMESPACE = "nexslice";
  public static final String DEFAULT_SELECTOR = "nexslice.io/dynamic-upf=true";
  public static final List<String> PROFILES = List.of("oai", "free5gc", "custom");

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
    String profile = r.string("UPF_PROFILE", "oai");
    if (!PROFILES.contains(profile)) {
      throw new ConfigException("UPF_PROFILE: '" + profile + "' is not one of " + PROFILES);
    }
    Optional<Path> template = Optional.ofNullable(r.optional("UPF_TEMPLATE")).map(Path::of);
    if (profile.equals("custom") && template.isEmpty()) {
      throw new ConfigException("UPF_TEMPLATE: required with UPF_PROFILE=custom (a file with Deployment, Service"
          + " and ConfigMap templates; see docs/UPF-PROFILES.md)");
    }
    List<String> namespaces = namespaces(r.string("WATCH_NAMESPACES", DEFAULT_NAMESPACE));
    UpfMode mode = mode(r.string("UPF_MODE", "per-ue"));
    String logFormat = r.string("LOG_FORMAT", "text");
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new ConfigException("LOG_FORMAT: '" + logFormat + "' is not text or json");
    }
    return new ControllerConfig(
        namespaces,
        selector(r.string("UE_SELECTOR", DEFAULT_SELECTOR)),
        profile,
        template,
        Optional.ofNullable(r.optional("UPF_IMAGE")).map(ControllerConfig::image),
        r.integer("UPF_REPLICAS", 1, 0, 100),
        NrfHosts.fromEnvironment(r),
        defaultSlice(r),
        pool(r, mode),
        SliceUeSubnets.fromEnvironment(r),
        // The OAI SMF refuses a 17th PFCP association (PFCP_MAX_ASSOCIATIONS); other cores: no limit.
        r.integer("UPF_MAX_PER_SLICE", profile.equals("oai") ? 16 : 0, 0, 100_000),
        free5gcSmf(r, profile),
        anName(r.string("FREE5GC_AN_NAME", "gNB1")),
        r.integer("HTTP_PORT", 8080, 0, 65535),
        r.integer("WORKER_COUNT", 4, 1, 64),
        mode,
        Optional.ofNullable(r.optional("UPF_UES_PER_REPLICA")).map(v -> r.integer("UPF_UES_PER_REPLICA", 1, 1, 100_000)),
        r.integer("UPF_MAX_REPLICAS", 10, 1, 100),
        LeaderElectionSettings.fromEnvironment(env, namespaces.isEmpty() ? "default" : namespaces.get(0)),
        logFormat);
  }

  /** Replicas of a UPF serving {@code ues} UEs: fixed, or scaled with the UE count when asked. */
  public int replicasFor(int ues) {
    if (uesPerReplica.isEmpty()) {
      return upfReplicas;
    }
    int wanted = (ues + uesPerReplica.get() - 1) / uesPerReplica.get();
    return Math.max(1, Math.min(maxReplicas, wanted));
  }

  private static Optional<URI> free5gcSmf(EnvReader r, String profile) {
    String value = r.optional("FREE5GC_SMF_URL");
    if (value == null) {
      return Optional.empty();
    }
    if (profile.equals("oai")) {
      throw new ConfigException("FREE5GC_SMF_URL: set, but UPF_PROFILE is oai; OAI UPFs register in the NRF"
          + " themselves (NRF_HOSTS). Use it with UPF_PROFILE=free5gc or custom");
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
        || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
        || uri.getQuery() != null || uri.getUserInfo() != null) {
      throw new ConfigException("FREE5GC_SMF_URL: '" + value + "' is not the SMF's SBI base URL"
          + " (http://<smf service>:<sbi port>, e.g. http://free5gc-smf.free5gc:8000)");
    }
    return Optional.of(uri);
  }

  private static String anName(String value) {
    if (value.length() > 253 || !value.matches("[A-Za-z0-9]([-A-Za-z0-9._]*[A-Za-z0-9])?")) {
      throw new ConfigException("FREE5GC_AN_NAME: '" + value + "' is not a node name of the SMF's topology (e.g. gNB1)");
    }
    return value;
  }

  private static UpfMode mode(String value) {
    for (UpfMode m : UpfMode.values()) {
      if (m.text().equals(value)) {
        return m;
      }
    }
    throw new ConfigException("UPF_MODE: '" + value + "' is not per-ue or per-slice");
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
    if (value.length() > 512 || !IMAGE.matcher(value).matches()) {
      throw new ConfigException("UPF_IMAGE: '" + value + "' is not an image reference"
          + " (registry/name:tag or name@sha256:digest)");
    }
    return value;
  }

  private static Slice defaultSlice(EnvReader r) {
    String sst = r.string("DEFAULT_SST", "1");
    String sd = r.string("DEFAULT_SD", "FFFFFF");
    String dnn = r.string("DEFAULT_DNN", "oai");
    int sstValue;
    try {
      sstValue = Slice.parseSst(sst);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("DEFAULT_SST: " + e.getMessage());
    }
    Optional<String> sdValue;
    try {
      sdValue = sd.equalsIgnoreCase("none") ? Optional.empty() : Optional.of(Slice.parseSd(sd));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("DEFAULT_SD: " + e.getMessage() + " (or 'none')");
    }
    try {
      return new Slice(sstValue, sdValue, dnn);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("DEFAULT_DNN: " + e.getMessage());
    }
  }

  private static AddressPool pool(EnvReader r, UpfMode mode) {
    String cidr = r.string("UPF_POOL_CIDR", "12.2.0.0/16");
    boolean sizeGiven = r.optional("UPF_POOL_BLOCK_PREFIX") != null;
    int block = r.integer("UPF_POOL_BLOCK_PREFIX", mode.defaultBlockPrefix(), 8, 30);
    try {
      new AddressPool(cidr, 30); // the range alone: /30 blocks fit in any valid one
    } catch (IllegalArgumentException e) {
      throw new ConfigException("UPF_POOL_CIDR: " + e.getMessage());
    }
    try {
      return new AddressPool(cidr, block);
    } catch (IllegalArgumentException e) {
      // The range is valid, so the blocks are larger than it: name the variable that set their size.
      throw sizeGiven
          ? new ConfigException("UPF_POOL_BLOCK_PREFIX: " + e.getMessage() + " (UPF_POOL_CIDR is " + cidr + ")")
          : new ConfigException("UPF_POOL_CIDR: " + cidr + " cannot hold one /" + block + " block, the " + mode.text()
              + " default of UPF_POOL_BLOCK_PREFIX; give a wider range or set UPF_POOL_BLOCK_PREFIX");
    }
  }
}
