package io.nexslice.dynamicslicing.smf;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nexslice.dynamicslicing.pool.AddressPool;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A STAND-IN for a free5GC SMF's topology API, because no 5G core can run here (no SCTP, no
 * registry). It follows free5GC smf internal/sbi/api_upi.go and internal/context/
 * user_plane_information.go as read in their sources (v1.2.x), including the rough edges:
 * <ul>
 *   <li>GET lists every node with all seven keys, node ids resolved (an FQDN that does not
 *       resolve reads 0.0.0.0), pools under "Cidr";
 *   <li>POST skips a name it already has and still answers 200; links to unknown nodes are
 *       skipped; undecodable JSON is 400 {"error": ...};
 *   <li>two UPFs with overlapping dynamic pools make the SMF exit: the connection closes with no
 *       answer and nothing answers afterwards;
 *   <li>DELETE is 403 {} while ULCL is on (checked first), 404 {} for an unknown name.
 * </ul>
 * Proving the controller against this proves it against our reading of free5GC, not against
 * free5GC itself.
 */
public final class Free5gcSmfStandIn implements AutoCloseable {
  private final Map<String, JsonObject> nodes = new TreeMap<>(); // Go sorts map keys when encoding
  private final List<String[]> links = new ArrayList<>();
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean ulcl;
  private volatile boolean crashed;
  private HttpServer server;
  private int port;

  /** Starts on a free loopback port with one access node, {@code anName}. */
  public Free5gcSmfStandIn(String anName) throws IOException {
    JsonObject an = node("AN", "");
    an.addProperty("anIP", "<nil>");
    an.add("sNssaiUpfInfos", null);
    an.add("interfaces", null);
    nodes.put(anName, an);
    start();
  }

  public synchronized void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    server.createContext("/upi/v1/upNodesLinks", this::handle);
    server.start();
    port = server.getAddress().getPort();
  }

  /** The SMF goes away (its port refuses connections) until start(). */
  public synchronized void stop() {
    server.stop(0);
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public void ulcl(boolean on) {
    ulcl = on;
  }

  public boolean crashed() {
    return crashed;
  }

  /** "METHOD path" of every request, in order. */
  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public synchronized boolean has(String name) {
    return nodes.containsKey(name);
  }

  public synchronized JsonObject node(String name) {
    return nodes.get(name);
  }

  /** Adds a UPF the way smfcfg.yaml would at start (the operator's own, or one left by a crash). */
  public synchronized void preload(String name, int sst, String sd, String dnn, String pool) {
    JsonObject upf = upf("0.0.0.0", sst, sd, dnn, List.of(pool), List.of());
    nodes.put(name, upf);
  }

  @Override
  public void close() {
    stop();
  }

  private void handle(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    requests.add(x.getRequestMethod() + " " + path);
    if (crashed) {
      x.close(); // the process is gone
      return;
    }
    synchronized (this) {
      switch (x.getRequestMethod()) {
        case "GET" -> reply(x, 200, topology());
        case "POST" -> post(x);
        case "DELETE" -> delete(x, path.substring(path.lastIndexOf('/') + 1));
        default -> reply(x, 404, "404 page not found");
      }
    }
  }

  private void post(HttpExchange x) throws IOException {
    JsonObject body;
    try {
      body = JsonParser.parseString(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      reply(x, 400, error(e.getMessage()));
      return;
    }
    JsonObject upNodes = body.getAsJsonObject("upNodes");
    if (upNodes != null) {
      for (Map.Entry<String, JsonElement> e : upNodes.entrySet()) {
        if (nodes.containsKey(e.getKey())) {
          continue; // "Node [%s] already exists in SMF."
        }
        JsonObject n = e.getValue().getAsJsonObject();
        JsonObject stored;
        if ("UPF".equals(n.get("type").getAsString())) {
          JsonObject info = n.getAsJsonArray("sNssaiUpfInfos").get(0).getAsJsonObject();
          JsonObject s = info.getAsJsonObject("sNssai");
          JsonObject dnn = info.getAsJsonArray("dnnUpfInfoList").get(0).getAsJsonObject();
          stored = upf(resolved(n.get("nodeID").getAsString()), s.get("sst").getAsInt(),
              s.has("sd") ? s.get("sd").getAsString() : null, dnn.get("dnn").getAsString(),
              cidrs(dnn.getAsJsonArray("pools")), cidrs(dnn.getAsJsonArray("staticPools")));
        } else {
          stored = node(n.get("type").getAsString(), "");
        }
        nodes.put(e.getKey(), stored);
      }
    }
    if (overlap()) {
      crashed = true; // logger.Fatalf("overlap cidr value between UPFs"): os.Exit(1), no answer
      x.close();
      return;
    }
    JsonArray l = body.getAsJsonArray("links");
    if (l != null) {
      for (JsonElement e : l) {
        String a = e.getAsJsonObject().get("A").getAsString();
        String b = e.getAsJsonObject().get("B").getAsString();
        if (nodes.containsKey(a) && nodes.containsKey(b)) {
          links.add(new String[] {a, b});
        }
      }
    }
    reply(x, 200, "{\"status\":\"OK\"}");
  }

  private void delete(HttpExchange x, String name) throws IOException {
    if (ulcl) {
      reply(x, 403, "{}");
    } else if (!nodes.containsKey(name)) {
      reply(x, 404, "{}");
    } else {
      nodes.remove(name);
      links.removeIf(l -> l[0].equals(name) || l[1].equals(name));
      reply(x, 200, "{\"status\":\"OK\"}");
    }
  }

  private boolean overlap() {
    List<String> pools = new ArrayList<>();
    for (JsonObject n : nodes.values()) {
      if (n.get("sNssaiUpfInfos").isJsonArray()) {
        for (JsonElement info : n.getAsJsonArray("sNssaiUpfInfos")) {
          for (JsonElement d : info.getAsJsonObject().getAsJsonArray("dnnUpfInfoList")) {
            for (JsonElement p : d.getAsJsonObject().getAsJsonArray("pools")) {
              pools.add(p.getAsJsonObject().get("Cidr").getAsString());
            }
          }
        }
      }
    }
    for (int i = 0; i < pools.size(); i++) {
      for (int j = i + 1; j < pools.size(); j++) {
        if (AddressPool.overlaps(pools.get(i), pools.get(j))) {
          return true;
        }
      }
    }
    return false;
  }

  private String topology() {
    JsonObject up = new JsonObject();
    nodes.forEach(up::add);
    JsonArray l = new JsonArray();
    for (String[] link : links) {
      JsonObject o = new JsonObject();
      o.addProperty("A", link[0]);
      o.addProperty("B", link[1]);
      l.add(o);
    }
    JsonObject root = new JsonObject();
    root.add("upNodes", up);
    root.add("links", l);
    return root.toString();
  }

  private static JsonObject node(String type, String nodeId) {
    JsonObject n = new JsonObject();
    n.addProperty("type", type);
    n.addProperty("nodeID", nodeId);
    n.addProperty("addr", "");
    n.addProperty("anIP", "");
    n.addProperty("dnn", "");
    return n;
  }

  private static JsonObject upf(String nodeId, int sst, String sd, String dnn, List<String> pools, List<String> staticPools) {
    JsonObject s = new JsonObject();
    s.addProperty("sst", sst);
    if (sd != null) {
      s.addProperty("sd", sd);
    }
    JsonObject d = new JsonObject();
    d.addProperty("dnn", dnn);
    d.add("dnaiList", null);
    d.add("pduSessionTypes", null);
    d.add("pools", pools(pools));
    d.add("staticPools", pools(staticPools));
    JsonArray dl = new JsonArray();
    dl.add(d);
    JsonObject info = new JsonObject();
    info.add("sNssai", s);
    info.add("dnnUpfInfoList", dl);
    JsonArray infos = new JsonArray();
    infos.add(info);
    JsonObject n = node("UPF", nodeId);
    n.add("sNssaiUpfInfos", infos);
    n.add("interfaces", new JsonArray());
    return n;
  }

  private static JsonArray pools(List<String> cidrs) {
    JsonArray a = new JsonArray();
    for (String c : cidrs) {
      JsonObject p = new JsonObject();
      p.addProperty("Cidr", AddressPool.requireNetwork(c));
      a.add(p);
    }
    return a;
  }

  private static List<String> cidrs(JsonArray pools) {
    List<String> out = new ArrayList<>();
    if (pools != null) {
      for (JsonElement p : pools) {
        JsonObject o = p.getAsJsonObject();
        out.add((o.has("cidr") ? o.get("cidr") : o.get("Cidr")).getAsString());
      }
    }
    return out;
  }

  /** ResolveNodeIdToIp: an IPv4 literal stays, a name that does not resolve becomes 0.0.0.0. */
  private static String resolved(String nodeId) {
    return nodeId.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") ? nodeId : "0.0.0.0";
  }

  private static String error(String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    return o.toString();
  }

  private static void reply(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }
}
