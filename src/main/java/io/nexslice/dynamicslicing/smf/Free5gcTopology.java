package io.nexslice.dynamicslicing.smf;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.nexslice.dynamicslicing.pool.AddressPool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON of free5GC's runtime topology API (smf internal/sbi/api_upi.go, v1.2.0+ = free5GC
 * v3.3.0+): the POST body for one UPF, and the nodes a GET lists. Pure functions.
 *
 * <p>Facts this relies on, read in free5GC's sources: a POST of a name the SMF already has is
 * skipped with 200, so a changed node is deleted first; the SMF exits (no HTTP answer) when two
 * UPFs' dynamic pools overlap, so overlaps are checked here before anything is sent; GET writes a
 * pool's CIDR under "Cidr" (its Go struct has no json tag) and POST accepts either case.
 */
public final class Free5gcTopology {
  private Free5gcTopology() {}

  /** A node as GET lists it: its type, dynamic pools, and the fingerprint of its first S-NSSAI/DNN entry. */
  public record ListedNode(String name, String type, List<String> pools, String fingerprint) {}

  /** The POST body: the node, and a link from the access network {@code anName}. */
  public static String postBody(SmfNode node, String anName) {
    JsonObject snssai = new JsonObject();
    snssai.addProperty("sst", node.slice().sst());
    node.slice().sd().ifPresent(sd -> snssai.addProperty("sd", sd.toLowerCase()));
    JsonObject dnnInfo = new JsonObject();
    dnnInfo.addProperty("dnn", node.slice().dnn());
    dnnInfo.add("pools", pools(node.pools()));
    if (!node.staticPools().isEmpty()) {
      dnnInfo.add("staticPools", pools(node.staticPools()));
    }
    JsonObject sNssaiInfo = new JsonObject();
    sNssaiInfo.add("sNssai", snssai);
    sNssaiInfo.add("dnnUpfInfoList", array(dnnInfo));
    JsonObject n3 = new JsonObject();
    n3.addProperty("interfaceType", "N3");
    n3.add("endpoints", strings(node.nodeId()));
    n3.add("networkInstances", strings(node.slice().dnn()));
    JsonObject upf = new JsonObject();
    upf.addProperty("type", "UPF");
    upf.addProperty("nodeID", node.nodeId());
    upf.add("sNssaiUpfInfos", array(sNssaiInfo));
    upf.add("interfaces", array(n3));
    JsonObject nodes = new JsonObject();
    nodes.add(node.name(), upf);
    JsonObject link = new JsonObject();
    link.addProperty("A", anName);
    link.addProperty("B", node.name());
    JsonObject body = new JsonObject();
    body.add("upNodes", nodes);
    body.add("links", array(link));
    return body.toString();
  }

  /**
   * The nodes of a GET /upi/v1/upNodesLinks answer, by name.
   *
   * @throws IllegalArgumentException when the body is not the SMF's topology JSON
   */
  public static Map<String, ListedNode> parse(String body) {
    Map<String, ListedNode> out = new LinkedHashMap<>();
    try {
      JsonObject root = JsonParser.parseString(body).getAsJsonObject();
      JsonElement nodes = root.get("upNodes");
      if (nodes == null || nodes.isJsonNull()) {
        return out;
      }
      for (Map.Entry<String, JsonElement> e : nodes.getAsJsonObject().entrySet()) {
        JsonObject n = e.getValue().getAsJsonObject();
        String type = text(n, "type");
        List<String> pools = new ArrayList<>();
        String fingerprint = "";
        JsonElement infos = n.get("sNssaiUpfInfos");
        if (infos != null && infos.isJsonArray()) {
          for (JsonElement info : infos.getAsJsonArray()) {
            JsonObject i = info.getAsJsonObject();
            JsonObject s = i.getAsJsonObject("sNssai");
            int sst = s == null || s.get("sst") == null ? -1 : s.get("sst").getAsInt();
            String sd = s == null ? "" : text(s, "sd");
            for (JsonElement d : i.getAsJsonArray("dnnUpfInfoList")) {
              JsonObject dnn = d.getAsJsonObject();
              List<String> dynamic = cidrs(dnn.get("pools"));
              List<String> fixed = cidrs(dnn.get("staticPools"));
              pools.addAll(dynamic);
              if (fingerprint.isEmpty()) {
                fingerprint = SmfNode.fingerprint(sst, sd, text(dnn, "dnn"), String.join(",", dynamic),
                    String.join(",", fixed));
              }
            }
          }
        }
        out.put(e.getKey(), new ListedNode(e.getKey(), type, pools, fingerprint));
      }
      return out;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not the SMF's topology JSON: " + e.getMessage(), e);
    }
  }

  /**
   * The first node other than {@code node} itself with a dynamic pool overlapping one of its pools,
   * if any: for a dynamic pool the SMF would exit; for a static address, that node's UEs could get it.
   */
  public static Optional<String> overlap(SmfNode node, Map<String, ListedNode> listed) {
    for (ListedNode other : listed.values()) {
      if (other.name().equals(node.name())) {
        continue;
      }
      for (String pool : other.pools()) {
        for (String ours : node.allPools()) {
          if (overlapsSafely(pool, ours)) {
            return Optional.of("pool " + ours + " overlaps pool " + pool + " of node " + other.name());
          }
        }
      }
    }
    return Optional.empty();
  }

  /** A pool the SMF reports that is not a CIDR cannot be compared: treated as overlapping, nothing is risked. */
  private static boolean overlapsSafely(String theirs, String ours) {
    try {
      return AddressPool.overlaps(theirs, ours);
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  private static List<String> cidrs(JsonElement pools) {
    List<String> out = new ArrayList<>();
    if (pools != null && pools.isJsonArray()) {
      for (JsonElement p : pools.getAsJsonArray()) {
        JsonObject o = p.getAsJsonObject();
        String cidr = o.has("Cidr") ? text(o, "Cidr") : text(o, "cidr");
        if (!cidr.isEmpty()) {
          out.add(cidr);
        }
      }
    }
    return out;
  }

  private static String text(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? "" : e.getAsString();
  }

  private static JsonArray pools(List<String> cidrs) {
    JsonArray a = new JsonArray();
    for (String c : cidrs) {
      JsonObject p = new JsonObject();
      p.addProperty("cidr", c);
      a.add(p);
    }
    return a;
  }

  private static JsonArray array(JsonElement e) {
    JsonArray a = new JsonArray();
    a.add(e);
    return a;
  }

  private static JsonArray strings(String s) {
    JsonArray a = new JsonArray();
    a.add(s);
    return a;
  }
}
