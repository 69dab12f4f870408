package io.nexslice.dynamicslicing.status;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.nexslice.dynamicslicing.status.ClusterView.AttachedUe;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read-only JSON views for people and scripts: {@code GET /api/ues} lists each attached UE with
 * its slice, UPF objects, whether it carries its UPF's mark, and since when; {@code GET /api/ue-count} is the proof of concept's
 * endpoint, now the real number of attached UEs rather than the highest id.
 */
public final class StatusApi {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  private final ClusterView view;

  public StatusApi(ClusterView view) {
    this.view = view;
  }

  public void register(HealthServer server) {
    server.handle("/api/ues", ex -> HealthServer.respond(ex, 200, "application/json", GSON.toJson(ues())));
    server.handle("/api/ue-count", ex -> HealthServer.respond(ex, 200, "application/json", GSON.toJson(count())));
  }

  Map<String, Object> ues() {
    List<Map<String, Object>> items = view.attached().stream().map(StatusApi::json).toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("count", items.size());
    out.put("ues", items);
    return out;
  }

  Map<String, Object> count() {
    return Map.of("count", view.attached().size());
  }

  private static Map<String, Object> json(AttachedUe u) {
    Map<String, Object> upf = new LinkedHashMap<>();
    upf.put("deployment", u.deployment());
    upf.put("service", u.service());
    upf.put("configMap", u.configMap());
    upf.put("mode", u.mode());
    upf.put("uePool", u.pool());
    upf.put("marked", u.marked()); // the UE carries nexslice.io/upf-ready for this UPF
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("namespace", u.namespace());
    m.put("pod", u.pod());
    m.put("slice", u.slice());
    m.put("upf", upf);
    m.put("since", u.since() == null ? null : u.since().toString());
    return m;
  }
}
