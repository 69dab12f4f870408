package io.nexslice.dynamicslicing.model;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.JSON;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns desired objects into server-side apply bodies, and tells whether an existing object
 * already holds everything a desired one says.
 *
 * <p>Why pruning: client-java's models start every list and map empty, so a plain serialisation
 * sends {@code "overhead": {}} (rejected by a real API server) and fields such as
 * {@code resourceClaims: []} that an older server's apply schema does not know. An apply body
 * should name only the fields we mean to own.
 *
 * <p>Why a subset check: the API server adds defaults (protocol, terminationMessagePath, ...) and
 * other managers add their own fields, so equality never holds. An object "satisfies" the desired
 * one when every field we would apply is present with the same value: exactly the fields a
 * forced apply would change. Skipping the write then makes restarts and resyncs write-free.
 */
public final class ApplyJson {
  /** Keys whose empty object means something ({@code emptyDir: {}} asks for a volume). */
  private static final Set<String> MEANINGFUL_EMPTY = Set.of("emptyDir");

  private final Gson gson;

  /** @param json client-java's JSON, whose date and byte[] adapters the writes use (ModelGson) */
  public ApplyJson(JSON json) {
    this.gson = ModelGson.create(json);
  }

  /** The apply body: the object's JSON without nulls and without empty lists or maps. */
  public String body(Object desired) {
    return pruned(desired).toString();
  }

  public JsonElement pruned(Object desired) {
    JsonElement tree = gson.toJsonTree(desired);
    prune(tree);
    return tree;
  }

  /** True when {@code existing} already holds every field of {@code desired} with its value. */
  public boolean isSatisfiedBy(Object desired, Object existing) {
    return difference(desired, existing).isEmpty();
  }

  /**
   * The first field of {@code desired} that {@code existing} lacks or holds with another value,
   * as a path such as {@code spec.replicas}; empty when existing satisfies desired. For logs:
   * it says why an object is written again.
   */
  public Optional<String> difference(Object desired, Object existing) {
    if (existing == null) {
      return Optional.of("(absent)");
    }
    JsonElement want = pruned(desired);
    if (want.isJsonObject()) {
      // Type meta names the kind, it is not state, and objects listed into a cache lack it
      // (only watch events carry it): comparing it made every restart rewrite everything.
      want.getAsJsonObject().remove("apiVersion");
      want.getAsJsonObject().remove("kind");
    }
    return Optional.ofNullable(firstDifference(treeOf(existing), want, ""));
  }

  /** The existing object as JSON; a cached object keeps its body as JSON already (BodyAsJson). */
  private JsonElement treeOf(Object existing) {
    JsonElement tree = gson.toJsonTree(existing);
    if (existing instanceof BodyAsJson cached && tree.isJsonObject()) {
      String body = cached.json();
      if (body != null) {
        tree.getAsJsonObject().add(cached.field(), JsonParser.parseString(body));
      }
    }
    return tree;
  }

  /** Removes nulls and empty lists and maps, deepest first (package-private for ModelGsonTest). */
  static void prune(JsonElement e) {
    if (e.isJsonObject()) {
      JsonObject o = e.getAsJsonObject();
      for (String key : Set.copyOf(o.keySet())) {
        JsonElement child = o.get(key);
        prune(child);
        if (child.isJsonNull() || isEmptyCollection(child) && !MEANINGFUL_EMPTY.contains(key)) {
          o.remove(key);
        }
      }
    } else if (e.isJsonArray()) {
      for (JsonElement child : e.getAsJsonArray()) {
        prune(child);
      }
    }
  }

  private static boolean isEmptyCollection(JsonElement e) {
    return e.isJsonArray() && e.getAsJsonArray().isEmpty() || e.isJsonObject() && e.getAsJsonObject().isEmpty();
  }

  /** The path of the first field of {@code want} that {@code have} does not hold, or null. */
  private static String firstDifference(JsonElement have, JsonElement want, String path) {
    if (want.isJsonObject()) {
      if (!have.isJsonObject()) {
        return path;
      }
      JsonObject h = have.getAsJsonObject();
      for (Map.Entry<String, JsonElement> w : want.getAsJsonObject().entrySet()) {
        String p = path.isEmpty() ? w.getKey() : path + "." + w.getKey();
        JsonElement hv = h.get(w.getKey());
        if (hv == null || hv.isJsonNull()) {
          if (!(w.getValue().isJsonObject() && w.getValue().getAsJsonObject().isEmpty())) {
            return p;
          }
        } else {
          String d = firstDifference(hv, w.getValue(), p);
          if (d != null) {
            return d;
          }
        }
      }
      return null;
    }
    if (want.isJsonArray()) {
      if (!have.isJsonArray() || have.getAsJsonArray().size() != want.getAsJsonArray().size()) {
        return path;
      }
      JsonArray h = have.getAsJsonArray();
      JsonArray w = want.getAsJsonArray();
      for (int i = 0; i < w.size(); i++) {
        String d = firstDifference(h.get(i), w.get(i), path + "[" + i + "]");
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    return have.equals(want) ? null : path;
  }
}
