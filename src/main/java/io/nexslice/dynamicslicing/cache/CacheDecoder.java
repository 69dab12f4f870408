package io.nexslice.dynamicslicing.cache;

import static io.nexslice.dynamicslicing.cache.JsonSteps.expect;
import static io.nexslice.dynamicslicing.cache.JsonSteps.expectText;
import static io.nexslice.dynamicslicing.cache.JsonSteps.nextField;
import static io.nexslice.dynamicslicing.cache.JsonSteps.text;
import static io.nexslice.dynamicslicing.cache.JsonSteps.wholeNumber;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
import io.nexslice.dynamicslicing.model.BodyAsJson;
import io.nexslice.dynamicslicing.model.Ownership;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
 *       ConfigMaps keep their data (it may be a UE's ue.yaml) packed, readable through getData()
 *       ({@link PackedConfigData}), and the keys of their binaryData.
 * </ul>
 *
 * <p>Why a decoder of our own: client-java's generated models parse each nested object into a
 * JSON tree, validate it, then bind it, and start every list and map empty. Listing 5 000 UEs'
 * four kinds of objects that way took 3-4 s of CPU and left ~85 MiB in the caches; streaming
 * past what we do not keep is what lets the controller start in seconds in a small heap
 * (docs/BENCHMARKS.md, P3 and P5). The bytes come through Jackson's streaming parser
 * ({@link SentJson}): what is not kept is skipped without decoding its strings, and the specs we
 * keep are handed over as the bytes the API server sent. Every object the informers hold, listed
 * or watched, comes from here, so there is one definition of what the cache keeps.
 *
 * <p>One decoder per controller, shared by its informers: the packed texts of a kind take the
 * first text this decoder packs as their dictionary, so the dictionaries are made of the
 * controller's own objects, whatever else the process decodes (tests, the class-data training).
 */
public final class CacheDecoder {
  /** Decodes one object of a kind, from the token that starts it to the token that ends it. */
  public interface Kind<T extends KubernetesObject> {
    T read(SentJson in) throws IOException;
  }

  /**
   * One factory for every response and line: it holds the table of field names its parsers start
   * from, so a watch line's names are looked up, not decoded again. Left with its defaults: with
   * canonical field names it makes byte-reading parsers, the ones that count the byte offsets
   * {@link SentJson} takes values by (without, a char-reading one).
   */
  private final JsonFactory json = new JsonFactory();
  /** Each kind of body packs against a dictionary of its own (the first body of its kind). */
  private final PackedText.Kind deploymentSpecs = new PackedText.Kind();
  private final PackedText.Kind serviceSpecs = new PackedText.Kind();
  private final PackedText.Kind configData = new PackedText.Kind();
  /**
   * The data of ConfigMaps not ours, one dictionary per set of keys: ue.sh's UEs' ConfigMaps
   * (ue.yaml and ue-session.sh) pack against the first of them, not against whichever ConfigMap
   * came first (kube-root-ca.crt, say).
   */
  private final PackedText.Kind foreignData = new PackedText.Kind();

  /** A response as it streams in (an informer's list), standing on its first token. */
  SentJson open(InputStream in) throws IOException {
    return new SentJson(json, in);
  }

  /** One text (a watch event's line), standing on its first token. */
  SentJson open(String text) throws IOException {
    return open(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** One object from its JSON text, e.g. {@code read(decoder::pod, text)}. */
  public <T extends KubernetesObject> T read(Kind<T> kind, String text) throws IOException {
    try (SentJson in = open(text)) {
      return kind.read(in);
    }
  }

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
   * ConfigMap is not ours, and its getData() unpacks what is read: {@link PackedConfigData}).
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

  public V1Pod pod(SentJson in) throws IOException {
    JsonParser p = in.parser();
    V1ObjectMeta meta = null;
    V1PodSpec spec = null;
    V1PodStatus status = null;
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      switch (field) {
        case "metadata" -> meta = metadata(p, false);
        case "spec" -> spec = podSpec(p);
        case "status" -> status = podStatus(p);
        default -> p.skipChildren();
      }
    }
    V1Pod pod = new V1Pod();
    pod.setMetadata(onlyOurAnnotations(meta));
    pod.setSpec(spec);
    pod.setStatus(status);
    return pod;
  }

  public V1Deployment deployment(SentJson in) throws IOException {
    Body body = body(in, "spec", true);
    V1Deployment d = body.ours() ? new CachedDeployment(pack(deploymentSpecs, body.json())) : new V1Deployment();
    d.setMetadata(body.ours() ? onlyOurAnnotations(body.meta()) : withoutAnnotations(body.meta()));
    if (body.ours() && body.available() != null) {
      // The UE's mark (UpfMark) waits for an available replica of its UPF.
      d.setStatus(new V1DeploymentStatus().availableReplicas(body.available()));
    }
    return d;
  }

  public V1Service service(SentJson in) throws IOException {
    Body body = body(in, "spec", false);
    V1Service s = body.ours() ? new CachedService(pack(serviceSpecs, body.json())) : new V1Service();
    s.setMetadata(body.ours() ? onlyOurAnnotations(body.meta()) : withoutAnnotations(body.meta()));
    return s;
  }

  public V1ConfigMap configMap(SentJson in) throws IOException {
    JsonParser p = in.parser();
    V1ObjectMeta meta = null;
    byte[] dataJson = null;
    List<String> dataKeys = new ArrayList<>(2);
    Map<String, byte[]> binaryKeys = null;
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      switch (field) {
        case "metadata" -> meta = metadata(p, false);
        case "data" -> {
          // Kept as sent, whoever's it is (the metadata that says so may come after it): only
          // its keys are read now, and checked to hold text, as a ConfigMap's data must.
          dataKeys.clear();
          dataJson = p.currentToken() == JsonToken.VALUE_NULL ? null : in.takeObject((key, value) -> {
            if (value.currentToken() != JsonToken.VALUE_NULL) {
              expectText(value);
              dataKeys.add(key.intern());
            }
          });
        }
        case "binaryData" -> binaryKeys = keysOnly(p);
        default -> p.skipChildren();
      }
    }
    V1ConfigMap c;
    if (isOurs(meta)) {
      c = new CachedConfigMap(pack(configData, dataJson));
      c.setMetadata(onlyOurAnnotations(meta));
      c.setData(Map.of());
    } else {
      c = new V1ConfigMap();
      c.setMetadata(withoutAnnotations(meta));
      c.setData(dataJson == null ? Map.of() : PackedConfigData.of(dataKeys, dataJson, foreignData));
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

  private static Body body(SentJson in, String field, boolean creation) throws IOException {
    JsonParser p = in.parser();
    V1ObjectMeta meta = null;
    byte[] json = null;
    Integer available = null;
    expect(p, JsonToken.START_OBJECT);
    String name;
    while ((name = nextField(p)) != null) {
      if (name.equals("metadata")) {
        meta = metadata(p, creation);
      } else if (name.equals(field) && (meta == null || isOurs(meta)) && p.currentToken() != JsonToken.VALUE_NULL) {
        // The API server writes metadata first; should it not, keep the field until we know.
        json = in.takeValue();
      } else if (name.equals("status") && (meta == null || isOurs(meta)) && p.currentToken() == JsonToken.START_OBJECT) {
        // Only ours: a foreign object's status is skipped.
        available = availableReplicas(p);
      } else {
        p.skipChildren();
      }
    }
    return new Body(meta, json, available);
  }

  /** status.availableReplicas of a Deployment; null when absent or zero (the API server omits a zero). */
  private static Integer availableReplicas(JsonParser p) throws IOException {
    Integer available = null;
    String field;
    while ((field = nextField(p)) != null) {
      if (field.equals("availableReplicas") && p.currentToken().isNumeric()) {
        long n = wholeNumber(p);
        available = n > 0 ? (int) Math.min(n, Integer.MAX_VALUE) : null;
      } else {
        p.skipChildren();
      }
    }
    return available;
  }

  /**
   * @param creation whether to keep creationTimestamp: only a Deployment's is read (the status
   *     API's "since"); 100 bytes an object is 2 MiB over 20 000 objects
   */
  private static V1ObjectMeta metadata(JsonParser p, boolean creation) throws IOException {
    V1ObjectMeta m = emptyMeta();
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      if (p.currentToken() == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "name" -> m.setName(text(p));
        case "namespace" -> m.setNamespace(text(p).intern());
        case "uid" -> m.setUid(text(p));
        case "resourceVersion" -> m.setResourceVersion(text(p));
        case "generation" -> m.setGeneration(wholeNumber(p));
        case "creationTimestamp" -> {
          String t = text(p);
          if (creation) {
            m.setCreationTimestamp(OffsetDateTime.parse(t));
          }
        }
        case "deletionTimestamp" -> m.setDeletionTimestamp(OffsetDateTime.parse(text(p)));
        case "labels" -> m.setLabels(stringMap(p));
        case "annotations" -> m.setAnnotations(stringMap(p));
        case "ownerReferences" -> m.setOwnerReferences(ownerReferences(p));
        default -> p.skipChildren();
      }
    }
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

  private static List<V1OwnerReference> ownerReferences(JsonParser p) throws IOException {
    List<V1OwnerReference> refs = new ArrayList<>(1);
    expect(p, JsonToken.START_ARRAY);
    while (p.nextToken() != JsonToken.END_ARRAY) {
      V1OwnerReference r = new V1OwnerReference();
      expect(p, JsonToken.START_OBJECT);
      String field;
      while ((field = nextField(p)) != null) {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (field) {
          case "apiVersion" -> r.setApiVersion(text(p).intern());
          case "kind" -> r.setKind(text(p).intern());
          // The UE's name and uid stand on each of its three UPF objects: share them.
          case "name" -> r.setName(text(p).intern());
          case "uid" -> r.setUid(text(p).intern());
          case "controller" -> r.setController(p.getBooleanValue());
          case "blockOwnerDeletion" -> r.setBlockOwnerDeletion(p.getBooleanValue());
          default -> p.skipChildren();
        }
      }
      refs.add(r);
    }
    return List.copyOf(refs);
  }

  private static V1PodSpec podSpec(JsonParser p) throws IOException {
    List<V1Volume> volumes = new ArrayList<>(1);
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      if (field.equals("volumes") && p.currentToken() != JsonToken.VALUE_NULL) {
        expect(p, JsonToken.START_ARRAY);
        while (p.nextToken() != JsonToken.END_ARRAY) {
          configMapVolume(p, volumes);
        }
      } else {
        p.skipChildren();
      }
    }
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
  private static void configMapVolume(JsonParser p, List<V1Volume> out) throws IOException {
    String name = null;
    V1ConfigMapVolumeSource source = null;
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      if (field.equals("name") && p.currentToken() == JsonToken.VALUE_STRING) {
        name = p.getText();
      } else if (field.equals("configMap") && p.currentToken() == JsonToken.START_OBJECT) {
        source = configMapSource(p);
      } else {
        p.skipChildren();
      }
    }
    if (source != null) {
      out.add(new V1Volume().name(name).configMap(source));
    }
  }

  /** What SliceResolver reads of a ConfigMap volume: the ConfigMap, optional, and the key to path items. */
  private static V1ConfigMapVolumeSource configMapSource(JsonParser p) throws IOException {
    V1ConfigMapVolumeSource source = new V1ConfigMapVolumeSource();
    List<V1KeyToPath> items = new ArrayList<>(1);
    String field;
    while ((field = nextField(p)) != null) {
      if (field.equals("name") && p.currentToken() == JsonToken.VALUE_STRING) {
        source.setName(p.getText());
      } else if (field.equals("optional") && p.currentToken().isBoolean()) {
        source.setOptional(p.getBooleanValue());
      } else if (field.equals("items") && p.currentToken() == JsonToken.START_ARRAY) {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(keyToPath(p));
        }
      } else {
        p.skipChildren();
      }
    }
    source.setItems(List.copyOf(items));
    return source;
  }

  private static V1KeyToPath keyToPath(JsonParser p) throws IOException {
    V1KeyToPath item = new V1KeyToPath();
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      if (field.equals("key") && p.currentToken() == JsonToken.VALUE_STRING) {
        item.setKey(p.getText());
      } else if (field.equals("path") && p.currentToken() == JsonToken.VALUE_STRING) {
        item.setPath(p.getText());
      } else {
        p.skipChildren();
      }
    }
    return item;
  }

  /** A list's metadata: its resourceVersion is where the informer's watch starts. */
  static V1ListMeta listMeta(JsonParser p) throws IOException {
    V1ListMeta meta = new V1ListMeta();
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      if (field.equals("resourceVersion") && p.currentToken() == JsonToken.VALUE_STRING) {
        meta.setResourceVersion(p.getText());
      } else if (field.equals("continue") && p.currentToken() == JsonToken.VALUE_STRING) {
        meta.setContinue(p.getText());
      } else {
        p.skipChildren();
      }
    }
    return meta;
  }

  private static V1PodStatus podStatus(JsonParser p) throws IOException {
    V1PodStatus status = new V1PodStatus();
    status.setContainerStatuses(List.of());
    status.setEphemeralContainerStatuses(List.of());
    status.setHostIPs(List.of());
    status.setInitContainerStatuses(List.of());
    status.setPodIPs(List.of());
    status.setResourceClaimStatuses(List.of());
    List<V1PodCondition> ready = new ArrayList<>(1);
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      if (field.equals("phase") && p.currentToken() == JsonToken.VALUE_STRING) {
        status.setPhase(p.getText().intern());
      } else if (field.equals("conditions") && p.currentToken() == JsonToken.START_ARRAY) {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          V1PodCondition c = condition(p);
          if ("Ready".equals(c.getType())) {
            ready.add(c);
          }
        }
      } else {
        p.skipChildren();
      }
    }
    status.setConditions(List.copyOf(ready));
    return status;
  }

  /** Type, status and since when: all the attachment rule reads of a condition. */
  private static V1PodCondition condition(JsonParser p) throws IOException {
    V1PodCondition c = new V1PodCondition();
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        p.skipChildren();
        continue;
      }
      switch (field) {
        case "type" -> c.setType(p.getText().intern());
        case "status" -> c.setStatus(p.getText().intern());
        case "lastTransitionTime" -> c.setLastTransitionTime(OffsetDateTime.parse(p.getText()));
        default -> p.skipChildren();
      }
    }
    return c;
  }

  /** Values longer than this are not shared: they are rarely repeated, and hashing them costs. */
  private static final int SHARED_VALUE_MAX = 64;

  /**
   * Labels or annotations; keys shared, and short values too ("sst=1 sd=FFFFFF dnn=oai" on every
   * UPF object, a UE's pool block on three).
   */
  private static Map<String, String> stringMap(JsonParser p) throws IOException {
    Map<String, String> map = new HashMap<>();
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      if (p.currentToken() == JsonToken.VALUE_NULL) {
        continue;
      }
      String value = text(p);
      map.put(field.intern(), value.length() <= SHARED_VALUE_MAX ? value.intern() : value);
    }
    return Map.copyOf(map);
  }

  /** Only whether a key holds binary data matters (a binary ue.yaml is refused), not the bytes. */
  private static Map<String, byte[]> keysOnly(JsonParser p) throws IOException {
    Map<String, byte[]> keys = new HashMap<>();
    byte[] none = new byte[0];
    expect(p, JsonToken.START_OBJECT);
    String field;
    while ((field = nextField(p)) != null) {
      keys.put(field.intern(), none);
      p.skipChildren();
    }
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
