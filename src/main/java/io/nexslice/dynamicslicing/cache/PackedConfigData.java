package io.nexslice.dynamicslicing.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The data of a ConfigMap that is not ours, as the cache keeps it: its keys, and its values as
 * the packed JSON object the API server sent. A read-only map: which keys it has is known
 * without unpacking; a value is unpacked when asked for.
 *
 * <p>Why: the controller caches every ConfigMap of its namespaces to find a UE's ue.yaml (under
 * any key a volume's items map to ue.yaml), and a UE's ConfigMap also holds its entrypoint
 * script. Kept as strings, ue.sh's ConfigMaps (3.8 KB of text each) took the heap to 98 MiB
 * with 5 000 UEs (P3, goal 64 MiB). Packed against the first data with the same keys, one keeps
 * 92 bytes of packed text. The slice resolver unpacks a text once per ConfigMap version
 * ({@code SliceResolver.parseOnce}), which it then parses anyway.
 *
 * <p>Why not parse the slice out of ue.yaml when decoding instead (measured on 5 000 of ue.sh's
 * ConfigMaps, C1 as in the image, 2 cores): decoding and packing them takes 180-310 ms, parsing
 * their ue.yaml 640-800 ms more, and that would sit before the caches sync (P5), where the
 * resolver parses each in the reconcile that needs it, after the sync. It would also have to parse
 * every key of every ConfigMap, or keep them all anyway: the key an items entry maps to ue.yaml
 * is the pod's choice, not the ConfigMap's.
 */
final class PackedConfigData extends AbstractMap<String, String> {
  /** Reads the unpacked JSON; thread-safe and shared, as Jackson means a factory to be. */
  private static final JsonFactory JSON = new JsonFactory();
  private final String[] keys;
  private final PackedText json;

  /**
   * @param keys the object's keys whose values are not null, in the order sent
   * @param json the data object as the API server sent it
   * @param kind packs it; its dictionary is the first data with the same keys
   */
  static Map<String, String> of(List<String> keys, byte[] json, PackedText.Kind kind) {
    if (keys.isEmpty()) {
      return Map.of();
    }
    return new PackedConfigData(keys.toArray(String[]::new), kind.pack(String.join("\n", keys), json));
  }

  private PackedConfigData(String[] keys, PackedText json) {
    this.keys = keys;
    this.json = json;
  }

  @Override
  public int size() {
    return keys.length;
  }

  @Override
  public boolean containsKey(Object key) {
    for (String k : keys) {
      if (k.equals(key)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String get(Object key) {
    return containsKey(key) ? unpacked().get(key) : null;
  }

  @Override
  public Set<String> keySet() {
    return Set.copyOf(Arrays.asList(keys));
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return unpacked().entrySet();
  }

  /** Bytes held besides the keys (the dictionary is shared by every data with the same keys). */
  int packedSize() {
    return json.packedSize();
  }

  /** Every value: the data object parsed again (strings, or numbers as written; nulls left out). */
  private Map<String, String> unpacked() {
    Map<String, String> data = new HashMap<>();
    try (JsonParser p = JSON.createParser(json.bytes())) {
      p.nextToken();
      JsonSteps.expect(p, JsonToken.START_OBJECT);
      String field;
      while ((field = JsonSteps.nextField(p)) != null) {
        if (p.currentToken() != JsonToken.VALUE_NULL) {
          data.put(field, JsonSteps.text(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cached ConfigMap data is not the JSON it was", e);
    }
    return Map.copyOf(data);
  }
}
