package io.nexslice.dynamicslicing.slice;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1KeyToPath;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Volume;
import io.nexslice.dynamicslicing.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Decides which slice (S-NSSAI) and DNN a UE is in. Each value comes from the first source that
 * has it: the pod's annotations {@code nexslice.io/sst|sd|dnn}, then the UE's own UERANSIM
 * ue.yaml (first session's slice and apn), then the operator's defaults. A value that is present
 * but invalid is an error, never skipped: a UE gets no UPF for a slice it did not ask for.
 *
 * <p>Pure given its inputs: the ConfigMap lookup is passed in.
 */
public final class SliceResolver {
  public static final String UE_CONFIG_KEY = "ue.yaml";

  /** The outcome: a slice and where each part came from, or why there is none. */
  public sealed interface Resolution permits Resolved, Invalid, Pending {}

  public record Resolved(Slice slice, String source) implements Resolution {}

  public record Invalid(String reason) implements Resolution {}

  /**
   * The pod mounts a ConfigMap the cache does not hold (yet): its slice cannot be known. The
   * pod cannot start without it either; when it arrives, the pod is reconciled again.
   */
  public record Pending(String reason) implements Resolution {}

  /** Parsed ue.yaml by "namespace/name@resourceVersion#key": see parseOnce. */
  private static final int MEMO_LIMIT = 20_000;
  private final Slice defaults;
  private final Map<String, Object> parsed = new ConcurrentHashMap<>();

  public SliceResolver(Slice defaults) {
    this.defaults = defaults;
  }

  /**
   * Parses a ue.yaml once per ConfigMap version. Per-slice mode resolves every member of a group
   * on each reconcile: without this a burst of N UEs in one slice parses N^2 files. A
   * resourceVersion names one content, so a cached result can never be stale. The text is read
   * from the ConfigMap only when it is parsed: the cache keeps a ConfigMap's data packed, and
   * getData().get unpacks it.
   */
  private UeConfig.Values parseOnce(UeConfigSource src) {
    V1ConfigMap cm = src.configMap();
    String version = cm.getMetadata().getResourceVersion();
    if (version == null) {
      return UeConfig.parse(src.text());
    }
    if (parsed.size() > MEMO_LIMIT) {
      parsed.clear(); // crude bound; entries of deleted ConfigMaps are never asked for again
    }
    Object result = parsed.computeIfAbsent(cm.getMetadata().getNamespace() + "/" + cm.getMetadata().getName()
        + "@" + version + "#" + src.key(), k -> {
          try {
            return UeConfig.parse(src.text());
          } catch (IllegalArgumentException e) {
            return e;
          }
        });
    if (result instanceof IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    return (UeConfig.Values) result;
  }

  /**
   * @param configMaps finds a ConfigMap by (namespace, name), null when it does not exist
   */
  public Resolution resolve(V1Pod pod, BiFunction<String, String, V1ConfigMap> configMaps) {
    Map<String, String> ann = pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
    UeConfig.Values fromFile;
    String file = null;
    Optional<String> missing = missingConfigMap(pod, configMaps);
    if (missing.isPresent()) {
      return new Pending("ConfigMap " + missing.get() + " that the pod mounts is not known yet");
    }
    try {
      Optional<UeConfigSource> src = ueConfigSource(pod, configMaps);
      fromFile = src.isPresent() ? parseOnce(src.get())
          : UeConfig.Values.NONE;
      file = src.map(UeConfigSource::where).orElse(null);
    } catch (IllegalArgumentException e) {
      return new Invalid(e.getMessage());
    }
    List<String> sources = new ArrayList<>();
    try {
      int sst;
      if (ann.containsKey(Names.ANNOTATION_SST)) {
        sst = Slice.parseSst(ann.get(Names.ANNOTATION_SST));
        sources.add("sst from annotation");
      } else if (fromFile.sst().isPresent()) {
        sst = fromFile.sst().get();
        sources.add("sst from " + file);
      } else {
        sst = defaults.sst();
        sources.add("sst default");
      }
      Optional<String> sd;
      if (ann.containsKey(Names.ANNOTATION_SD)) {
        String v = ann.get(Names.ANNOTATION_SD).trim();
        sd = v.isEmpty() ? Optional.empty() : Optional.of(Slice.parseSd(v));
        sources.add("sd from annotation");
      } else if (fromFile.sd().isPresent()) {
        sd = fromFile.sd();
        sources.add("sd from " + file);
      } else {
        sd = defaults.sd();
        sources.add("sd default");
      }
      String dnn;
      if (ann.containsKey(Names.ANNOTATION_DNN)) {
        dnn = ann.get(Names.ANNOTATION_DNN).trim();
        sources.add("dnn from annotation");
      } else if (fromFile.dnn().isPresent()) {
        dnn = fromFile.dnn().get();
        sources.add("dnn from " + file);
      } else {
        dnn = defaults.dnn();
        sources.add("dnn default");
      }
      return new Resolved(new Slice(sst, sd, dnn), String.join(", ", sources));
    } catch (IllegalArgumentException e) {
      return new Invalid(e.getMessage());
    }
  }

  /** Where a pod's ue.yaml is: the ConfigMap holds text at {@code key}. */
  private record UeConfigSource(V1ConfigMap configMap, String key, String where) {
    String text() {
      return configMap.getData().get(key);
    }
  }

  /**
   * The ue.yaml a pod mounts from a ConfigMap: a configMap volume whose items map a key to
   * ue.yaml, or whose ConfigMap has a ue.yaml key. Empty when the pod mounts none (its config
   * is baked into the image) or only an optional ConfigMap that does not exist.
   */
  private Optional<UeConfigSource> ueConfigSource(V1Pod pod, BiFunction<String, String, V1ConfigMap> configMaps) {
    if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
      return Optional.empty();
    }
    String ns = pod.getMetadata().getNamespace();
    for (V1Volume v : pod.getSpec().getVolumes()) {
      if (v.getConfigMap() == null || v.getConfigMap().getName() == null) {
        continue;
      }
      String key = UE_CONFIG_KEY;
      if (v.getConfigMap().getItems() != null) {
        key = v.getConfigMap().getItems().stream().filter(i -> UE_CONFIG_KEY.equals(i.getPath()))
            .map(V1KeyToPath::getKey).findFirst().orElse(UE_CONFIG_KEY);
      }
      V1ConfigMap cm = configMaps.apply(ns, v.getConfigMap().getName());
      if (cm == null) {
        continue;
      }
      String where = "ConfigMap " + cm.getMetadata().getName() + " key " + key;
      if (cm.getData() != null && cm.getData().containsKey(key)) {
        return Optional.of(new UeConfigSource(cm, key, where));
      }
      if (cm.getBinaryData() != null && cm.getBinaryData().containsKey(key)) {
        throw new IllegalArgumentException(where + " holds binary data, not a UERANSIM config");
      }
    }
    return Optional.empty();
  }

  /** A non-optional ConfigMap the pod mounts that {@code configMaps} does not know. */
  private static Optional<String> missingConfigMap(V1Pod pod, BiFunction<String, String, V1ConfigMap> configMaps) {
    if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
      return Optional.empty();
    }
    return pod.getSpec().getVolumes().stream()
        .filter(v -> v.getConfigMap() != null && v.getConfigMap().getName() != null)
        .filter(v -> !Boolean.TRUE.equals(v.getConfigMap().getOptional()))
        .map(v -> v.getConfigMap().getName())
        .filter(name -> configMaps.apply(pod.getMetadata().getNamespace(), name) == null)
        .findFirst();
  }

  /** ConfigMaps a pod mounts: when one changes, the pod's slice may have changed. */
  public static List<String> mountedConfigMaps(V1Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
      return List.of();
    }
    return pod.getSpec().getVolumes().stream()
        .filter(v -> v.getConfigMap() != null && v.getConfigMap().getName() != null)
        .map(v -> v.getConfigMap().getName()).toList();
  }
}
