package io.nexslice.dynamicslicing.cache;

import com.google.gson.JsonObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapVolumeSource;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1KeyToPath;
import io.kubernetes.client.openapi.models.V1ListMeta;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1Volume;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.cache.Utf8JsonReader.Token;
import io.nexslice.dynamicslicing.model.BodyAsJson;
import io.nexslice.dynamicslicing.model.Ownership;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads pods, Deployments, Services and ConfigMaps from the API server's JSON straight into the
 * form the informer caches keep: only what the controller reads, with no empty collections and
 * with the strings every object repeats (namespace, label and annotation keys) shared.
 *
 * <ul>
 *   <li>Pods: identity, labels, our annotations (nexslice.io/..., *dynamic-slicing*), deletion
 *       timestamp, the ConfigMap volumes (a UE's ue.yaml), phase and the Ready condition.
 *   <li>Our Deployments, Services and ConfigMaps: identity, labels, our annotations, and the
 *       spec (data) as packed JSON ({@link BodyAsJson}, {@link PackedText}); the desired-state
 *       check reads nothing else. Our Deployments also keep status.availableReplicas, which
 *       decides a UE's mark ({@link io.nexslice.dynamicslicing.model.UpfMark}).
 *   <li>Anything else: identity, labels and owner references, all the squatter check needs;
 *       ConfigMaps keep their data (it may be a UE's ue.yaml) and the keys of their binaryData.
 * </ul>
 *
 * <p>Why a decoder of our own: client-java's generated models parse each nested object into a
 * JSON tree, validate it, then bind it, and start every list and map empty. Listing 5 000 UEs'
 * four kinds of objects that way took 3-4 s of CPU and left ~85 MiB in the caches; streaming
 * past what we do not keep is what lets the controller start in seconds in a small heap
 * (docs/BENCHMARKS.md, P3 and P5). The bytes come through {@link Utf8JsonReader}, which skips
 * what is not kept without decoding it and hands over the specs we keep as the bytes the API
 * server sent. Every object the informers hold, listed or watched, comes from here, so there is
 * one definition of what the cache keeps.
 *
 * <p>One decoder per controller, shared by its informers: the packed texts of a kind take the
 * first text this decoder packs as their dictionary, so the dictionaries are made of the
 * controller's own objects, whatever else the process decodes (tests, the class-data training).
 */
public final class CacheDecoder {
  /** Decodes one object of a kind. */
  public interface Kind<T extends KubernetesObject> {
    T read(Utf8JsonReader in) throws IOException;
  }

  /** Each kind of body packs against a dictionary of its own (the first body of its kind). */
  private final PackedText.Kind deploymentSpecs = new PackedText.Kind();
  private final PackedText.Kind serviceSpecs = new PackedText.Kind();
  private final PackedText.Kind configData = new PackedText.Kind();

  /**
   * An object of ours whose body stays packed JSON: the model classes differ, the rest does not.
   * The body is a ConfigMap's data, or a Deployment's or Service's spec.
   */
  interface Packed extends BodyAsJson {
    /** The packed body, or null when the object has none. */
    PackedText packed();

    @Override
    default String field() {
      return this instanceof V1ConfigMap ? "data" : "spec";
    }

    @Override
    default String json() {
      return packed() == null ? null : packed().text();
    }
  }

  /** A Deployment of ours as the cache keeps it: the spec stays packed JSON. */
  static final class CachedDeployment extends V1Deployment implements Packed {
    private final transient PackedText spec;

    CachedDeployment(PackedText spec) {
      this.spec = spec;
    }

    @Override
    public PackedText packed() {
      return spec;
    }
  }

  /** A Service of ours as the cache keeps it: the spec stays packed JSON. */
  static final class CachedService extends V1Service implements Packed {
    private final transient PackedText spec;

    CachedService(PackedText spec) {
      this.spec = spec;
    }

    @Override
    public PackedText packed() {
      return spec;
    }
  }

  /**
   * A ConfigMap of ours as the cache keeps it: the data stays packed JSON. getData() is empty:
   * nothing reads our ConfigMaps' data but the desired-state check (a UE's own ue.yaml
   * ConfigMap is not ours, and keeps its data as a map).
   */
  static final class CachedConfigMap extends V1ConfigMap implements Packed {
    private final transient PackedText data;

    CachedConfigMap(PackedText data) {
      this.data = data;
    }

    @Override
    public PackedText packed() {
      return data;
    }
  }

  public V1Pod pod(Utf8JsonReader in) throws IOException {
    V1ObjectMeta meta = null;
    V1PodSpec spec = null;
    V1PodStatus status = null;
    in.beginObject();
    while (in.hasNext()) {
      switch (in.nextName()) {
        case "metadata" -> meta = metadata(in, false);
        case "spec" -> spec = podSpec(in);
        case "status" -> status = podStatus(in);
        default -> in.skipValue();
      }
    }
    in.endObject();
    V1Pod pod = new V1Pod();
    pod.setMetadata(onlyOurAnnotations(meta));
    pod.setSpec(spec);
    pod.setStatus(status);
    return pod;
  }

  public V1Deployment deployment(Utf8JsonReader in) throws IOException {
    Body body = body(in, "spec", true);
    V1Deployment d = body.ours() ? new CachedDeployment(pack(deploymentSpecs, body.json())) : new V1Deployment();
    d.setMetadata(body.ours() ? onlyOurAnnotations(body.meta()) : withoutAnnotations(body.meta()));
    if (body.ours() && body.available() != null) {
      // The UE's mark (UpfMark) waits for an available replica of its UPF.
      d.setStatus(new V1DeploymentStatus().availableReplicas(body.available()));
    }
    return d;
  }

  public V1Service service(Utf8JsonReader in) throws IOException {
    Body body = body(in, "spec", false);
    V1Service s = body.ours() ? new CachedService(pack(serviceSpecs, body.json())) : new V1Service();
    s.setMetadata(body.ours() ? onlyOurAnnotations(body.meta()) : withoutAnnotations(body.meta()));
    return s;
  }

  public V1ConfigMap configMap(Utf8JsonReader in) throws IOException {
    V1ObjectMeta meta = null;
    Map<String, String> data = null;
    byte[] dataJson = null;
    Map<String, byte[]> binaryKeys = null;
    in.beginObject();
    while (in.hasNext()) {
      switch (in.nextName()) {
        case "metadata" -> meta = metadata(in, false);
        case "data" -> {
          if (in.peek() == Token.NULL) {
            in.nextNull();
          } else if (isOurs(meta)) {
            dataJson = in.captureValue();
          } else {
            data = stringMap(in, false);
          }
        }
        case "binaryData" -> binaryKeys = keysOnly(in);
        default -> in.skipValue();
      }
    }
    in.endObject();
    V1ConfigMap c;
    if (isOurs(meta)) {
      if (dataJson == null && data != null) {
        // The data came before the metadata said whose the object is (the API server writes metadata first).
        JsonObject o = new JsonObject();
        data.forEach(o::addProperty);
        dataJson = o.toString().getBytes(StandardCharsets.UTF_8);
      }
      c = new CachedConfigMap(pack(configData, dataJson));
      c.setMetadata(onlyOurAnnotations(meta));
      c.setData(Map.of());
    } else {
      c = new V1ConfigMap();
      c.setMetadata(withoutAnnotations(meta));
      c.setData(data == null ? Map.of() : data);
    }
    c.setBinaryData(binaryKeys == null ? Map.of() : binaryKeys);
    return c;
  }

  private static PackedText pack(PackedText.Kind kind, byte[] json) {
    return json == null ? null : kind.pack(json);
  }

  /**
   * Metadata plus one field kept as JSON, only when the object is ours, and a Deployment's
   * status.availableReplicas (null when absent or zero).
   */
  private record Body(V1ObjectMeta meta, byte[] json, Integer available) {
    boolean ours() {
      return isOurs(meta);
    }
  }

  private static Body body(Utf8JsonReader in, String field, boolean creation) throws IOException {
    V1ObjectMeta meta = null;
    byte[] json = null;
    Integer available = null;
    in.beginObject();
    while (in.hasNext()) {
      String name = in.nextName();
      if (name.equals("metadata")) {
        meta = metadata(in, creation);
      } else if (name.equals(field) && (meta == null || isOurs(meta)) && in.peek() != Token.NULL) {
        // The API server writes metadata first; should it not, keep the field until we know.
        json = in.captureValue();
      } else if (name.equals("status") && (meta == null || isOurs(meta)) && in.peek() == Token.BEGIN_OBJECT) {
        // Only ours: a foreign object's status is skipped by a bracket scan, as before.
        available = availableReplicas(in);
      } else {
        in.skipValue();
      }
    }
    in.endObject();
    return new Body(meta, json, available);
  }

  /** status.availableReplicas of a Deployment; null when absent or zero (the API server omits a zero). */
  private static Integer availableReplicas(Utf8JsonReader in) throws IOException {
    Integer available = null;
    in.beginObject();
    while (in.hasNext()) {
      if (in.nextName().equals("availableReplicas") && in.peek() == Token.NUMBER) {
        long n = in.nextLong();
        available = n > 0 ? (int) Math.min(n, Integer.MAX_VALUE) : null;
      } else {
        in.skipValue();
      }
    }
    in.endObject();
    return available;
  }

  /**
   * @param creation whether to keep creationTimestamp: only a Deployment's is read (the status
   *     API's "since"); 100 bytes an object is 2 MiB over 20 000 objects
   */
  private static V1ObjectMeta metadata(Utf8JsonReader in, boolean creation) throws IOException {
    V1ObjectMeta m = emptyMeta();
    in.beginObject();
    while (in.hasNext()) {
      String name = in.nextName();
      if (in.peek() == Token.NULL) {
        in.nextNull();
        continue;
      }
      switch (name) {
        case "name" -> m.setName(in.nextString());
        case "namespace" -> m.setNamespace(in.nextString().intern());
        case "uid" -> m.setUid(in.nextString());
        case "resourceVersion" -> m.setResourceVersion(in.nextString());
        case "generation" -> m.setGeneration(in.nextLong());
        case "creationTimestamp" -> {
          String t = in.nextString();
          if (creation) {
            m.setCreationTimestamp(OffsetDateTime.parse(t));
          }
        }
        case "deletionTimestamp" -> m.setDeletionTimestamp(OffsetDateTime.parse(in.nextString()));
        case "labels" -> m.setLabels(stringMap(in, true));
        case "annotations" -> m.setAnnotations(stringMap(in, true));
        case "ownerReferences" -> m.setOwnerReferences(ownerReferences(in));
        default -> in.skipValue();
      }
    }
    in.endObject();
    return m;
  }

  /**
   * Metadata with nothing in it. client-java's models start each list and map empty, never null,
   * and code is written against that; the shared empty collections keep it so at no cost.
   */
  private static V1ObjectMeta emptyMeta() {
    V1ObjectMeta m = new V1ObjectMeta();
    m.setAnnotations(Map.of());
    m.setLabels(Map.of());
    m.setFinalizers(List.of());
    m.setManagedFields(List.of());
    m.setOwnerReferences(List.of());
    return m;
  }

  private static List<V1OwnerReference> ownerReferences(Utf8JsonReader in) throws IOException {
    List<V1OwnerReference> refs = new ArrayList<>(1);
    in.beginArray();
    while (in.hasNext()) {
      V1OwnerReference r = new V1OwnerReference();
      in.beginObject();
      while (in.hasNext()) {
        String name = in.nextName();
        if (in.peek() == Token.NULL) {
          in.nextNull();
          continue;
        }
        switch (name) {
          case "apiVersion" -> r.setApiVersion(in.nextString().intern());
          case "kind" -> r.setKind(in.nextString().intern());
          // The UE's name and uid stand on each of its three UPF objects: share them.
          case "name" -> r.setName(in.nextString().intern());
          case "uid" -> r.setUid(in.nextString().intern());
          case "controller" -> r.setController(in.nextBoolean());
          case "blockOwnerDeletion" -> r.setBlockOwnerDeletion(in.nextBoolean());
          default -> in.skipValue();
        }
      }
      in.endObject();
      refs.add(r);
    }
    in.endArray();
    return List.copyOf(refs);
  }

  private static V1PodSpec podSpec(Utf8JsonReader in) throws IOException {
    List<V1Volume> volumes = new ArrayList<>(1);
    in.beginObject();
    while (in.hasNext()) {
      if (in.nextName().equals("volumes") && in.peek() != Token.NULL) {
        in.beginArray();
        while (in.hasNext()) {
          configMapVolume(in, volumes);
        }
        in.endArray();
      } else {
        in.skipValue();
      }
    }
    in.endObject();
    V1PodSpec spec = new V1PodSpec();
    spec.setContainers(List.of());
    spec.setEphemeralContainers(List.of());
    spec.setHostAliases(List.of());
    spec.setImagePullSecrets(List.of());
    spec.setInitContainers(List.of());
    spec.setNodeSelector(Map.of());
    spec.setOverhead(Map.of());
    spec.setReadinessGates(List.of());
    spec.setResourceClaims(List.of());
    spec.setSchedulingGates(List.of());
    spec.setTolerations(List.of());
    spec.setTopologySpreadConstraints(List.of());
    spec.setVolumes(List.copyOf(volumes));
    return spec;
  }

  /** Adds the volume when it is a ConfigMap volume (a UE's ue.yaml); skips any other. */
  private static void configMapVolume(Utf8JsonReader in, List<V1Volume> out) throws IOException {
    String name = null;
    V1ConfigMapVolumeSource source = null;
    in.beginObject();
    while (in.hasNext()) {
      String field = in.nextName();
      if (field.equals("name") && in.peek() == Token.STRING) {
        name = in.nextString();
      } else if (field.equals("configMap") && in.peek() == Token.BEGIN_OBJECT) {
        source = configMapSource(in);
      } else {
        in.skipValue();
      }
    }
    in.endObject();
    if (source != null) {
      out.add(new V1Volume().name(name).configMap(source));
    }
  }

  /** What SliceResolver reads of a ConfigMap volume: the ConfigMap, optional, and the key to path items. */
  private static V1ConfigMapVolumeSource configMapSource(Utf8JsonReader in) throws IOException {
    V1ConfigMapVolumeSource source = new V1ConfigMapVolumeSource();
    List<V1KeyToPath> items = new ArrayList<>(1);
    in.beginObject();
    while (in.hasNext()) {
      String field = in.nextName();
      if (field.equals("name") && in.peek() == Token.STRING) {
        source.setName(in.nextString());
      } else if (field.equals("optional") && in.peek() == Token.BOOLEAN) {
        source.setOptional(in.nextBoolean());
      } else if (field.equals("items") && in.peek() == Token.BEGIN_ARRAY) {
        in.beginArray();
        while (in.hasNext()) {
          V1KeyToPath item = new V1KeyToPath();
          in.beginObject();
          while (in.hasNext()) {
            String name = in.nextName();
            if (name.equals("key") && in.peek() == Token.STRING) {
              item.setKey(in.nextString());
            } else if (name.equals("path") && in.peek() == Token.STRING) {
              item.setPath(in.nextString());
            } else {
              in.skipValue();
            }
          }
          in.endObject();
          items.add(item);
        }
        in.endArray();
      } else {
        in.skipValue();
      }
    }
    in.endObject();
    source.setItems(List.copyOf(items));
    return source;
  }

  /** A list's metadata: its resourceVersion is where the informer's watch starts. */
  static V1ListMeta listMeta(Utf8JsonReader in) throws IOException {
    V1ListMeta meta = new V1ListMeta();
    in.beginObject();
    while (in.hasNext()) {
      String field = in.nextName();
      if (field.equals("resourceVersion") && in.peek() == Token.STRING) {
        meta.setResourceVersion(in.nextString());
      } else if (field.equals("continue") && in.peek() == Token.STRING) {
        meta.setContinue(in.nextString());
      } else {
        in.skipValue();
      }
    }
    in.endObject();
    return meta;
  }

  private static V1PodStatus podStatus(Utf8JsonReader in) throws IOException {
    V1PodStatus status = new V1PodStatus();
    status.setContainerStatuses(List.of());
    status.setEphemeralContainerStatuses(List.of());
    status.setHostIPs(List.of());
    status.setInitContainerStatuses(List.of());
    status.setPodIPs(List.of());
    status.setResourceClaimStatuses(List.of());
    List<V1PodCondition> ready = new ArrayList<>(1);
    in.beginObject();
    while (in.hasNext()) {
      String field = in.nextName();
      if (field.equals("phase") && in.peek() == Token.STRING) {
        status.setPhase(in.nextString().intern());
      } else if (field.equals("conditions") && in.peek() == Token.BEGIN_ARRAY) {
        in.beginArray();
        while (in.hasNext()) {
          V1PodCondition c = condition(in);
          if ("Ready".equals(c.getType())) {
            ready.add(c);
          }
        }
        in.endArray();
      } else {
        in.skipValue();
      }
    }
    in.endObject();
    status.setConditions(List.copyOf(ready));
    return status;
  }

  /** Type, status and since when: all the attachment rule reads of a condition. */
  private static V1PodCondition condition(Utf8JsonReader in) throws IOException {
    V1PodCondition c = new V1PodCondition();
    in.beginObject();
    while (in.hasNext()) {
      String field = in.nextName();
      if (in.peek() != Token.STRING) {
        in.skipValue();
        continue;
      }
      switch (field) {
        case "type" -> c.setType(in.nextString().intern());
        case "status" -> c.setStatus(in.nextString().intern());
        case "lastTransitionTime" -> c.setLastTransitionTime(OffsetDateTime.parse(in.nextString()));
        default -> in.skipValue();
      }
    }
    in.endObject();
    return c;
  }

  /** Values longer than this are not shared: they are rarely repeated, and hashing them costs. */
  private static final int SHARED_VALUE_MAX = 64;

  /**
   * A JSON object of strings; keys shared, and short values too when {@code shareValues} (labels
   * and annotations: "sst=1 sd=FFFFFF dnn=oai" on every UPF object, a UE's pool block on three).
   */
  private static Map<String, String> stringMap(Utf8JsonReader in, boolean shareValues) throws IOException {
    Map<String, String> map = new HashMap<>();
    in.beginObject();
    while (in.hasNext()) {
      String key = in.nextName().intern();
      if (in.peek() == Token.NULL) {
        in.nextNull();
        continue;
      }
      String value = in.nextString();
      map.put(key, shareValues && value.length() <= SHARED_VALUE_MAX ? value.intern() : value);
    }
    in.endObject();
    return Map.copyOf(map);
  }

  /** Only whether a key holds binary data matters (a binary ue.yaml is refused), not the bytes. */
  private static Map<String, byte[]> keysOnly(Utf8JsonReader in) throws IOException {
    Map<String, byte[]> keys = new HashMap<>();
    byte[] none = new byte[0];
    in.beginObject();
    while (in.hasNext()) {
      keys.put(in.nextName().intern(), none);
      in.skipValue();
    }
    in.endObject();
    return Map.copyOf(keys);
  }

  private static boolean isOurs(V1ObjectMeta m) {
    return Ownership.isLabelledOurs(m);
  }

  /** Names.isOurAnnotationKey, the test UeWarnings applies: what it would warn about must reach it. */
  private static V1ObjectMeta onlyOurAnnotations(V1ObjectMeta m) {
    if (m != null && m.getAnnotations() != null) {
      Map<String, String> ours = new HashMap<>();
      m.getAnnotations().forEach((k, v) -> {
        if (Names.isOurAnnotationKey(k)) {
          ours.put(k, v);
        }
      });
      m.setAnnotations(Map.copyOf(ours));
    }
    return m;
  }

  private static V1ObjectMeta withoutAnnotations(V1ObjectMeta m) {
    if (m != null) {
      m.setAnnotations(Map.of());
    }
    return m;
  }
}
