package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.nexslice.dynamicslicing.it.RunningPrometheus.Sample;
import io.nexslice.dynamicslicing.monitoring.AlertRules;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Issue #21: the shipped dashboard and alert rules against a real Prometheus that scrapes a real
 * controller. Every dashboard query has data once UEs have attached; the alert for a UE Ready
 * without a UPF goes pending, fires naming the UE, and resolves once the UE gets its UPF.
 */
@ExtendWith(ClusterExtension.class)
class PrometheusIT {
  /** free5GC UPFs take a block each; a /23 holds two /24s, so a third UE waits for one to free. */
  private static final Map<String, String> TWO_BLOCKS = Map.of("UPF_PROFILE", "free5gc",
      "UPF_POOL_CIDR", "10.9.0.0/23", "UPF_POOL_BLOCK_PREFIX", "24", "UPF_REPLICAS", "0");
  private static final String UE_WITHOUT_UPF = "DynamicSlicingUeWithoutUpf";
  private static final String POOL_EXHAUSTED = "DynamicSlicingUpfPoolExhausted";

  private Kube kube;
  private String ns;
  private Controllers controllers;
  private RunningPrometheus prometheus;

  @BeforeEach
  void setUp(Kube kube) throws Exception {
    this.kube = kube;
    this.ns = kube.createNamespace("prometheus");
    this.controllers = new Controllers(kube.cluster(), ns);
  }

  @AfterEach
  void tearDown() {
    if (prometheus != null) {
      prometheus.close();
    }
    controllers.close();
    kube.deleteNamespace(ns);
  }

  @Test
  void dashboardQueriesHaveDataAndTheUeWaitingAlertFiresThenResolves() throws Exception {
    RunningController controller = controllers.start(TWO_BLOCKS);
    prometheus = RunningPrometheus.start(ClusterBackends.projectRoot().resolve("target/prometheus-it/" + ns),
        "127.0.0.1:" + controller.app().httpPort(), ns, testRules());
    Set<String> shipped = new TreeSet<>();
    AlertRules.rules(AlertRules.load(AlertRules.plainFile())).forEach(r -> shipped.add((String) r.get("alert")));
    // Every shipped alert loads into Prometheus 2.42 and evaluates without error.
    await().atMost(Kube.TIMEOUT).until(() -> prometheus.alertingRules().equals(allOk(shipped)));
    await().atMost(Kube.TIMEOUT).until(() -> !prometheus.query("up{job=\"" + RunningPrometheus.JOB + "\"} == 1").isEmpty());
    // From here the controller is scraped: before, DynamicSlicingControllerDown is rightly pending.
    long scrapedSince = System.nanoTime();

    kube.createReadyUe(ns, "ue-1");
    kube.createReadyUe(ns, "ue-2");
    kube.awaitUpf(ns, "upf-ue-1");
    kube.awaitUpf(ns, "upf-ue-2");
    kube.createReadyUe(ns, "ue-3");
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-3", "Warning", "UpfPoolExhausted"));

    JsonObject waiting = await().atMost(Kube.TIMEOUT).until(() -> alert(UE_WITHOUT_UPF),
        a -> a.isPresent() && "firing".equals(a.get().get("state").getAsString())).orElseThrow();
    assertEquals(Map.of("alertname", UE_WITHOUT_UPF, "namespace", ns, "reason", "UpfPoolExhausted", "ue", "ue-3",
        "severity", "warning"), strings(waiting.getAsJsonObject("labels")));
    String summary = waiting.getAsJsonObject("annotations").get("summary").getAsString();
    assertTrue(summary.matches("UE " + ns + "/ue-3 has been Ready for \\S+ without a usable UPF \\(UpfPoolExhausted\\)"),
        summary);
    // It was pending before it fired: Prometheus keeps each evaluation's state in the ALERTS series.
    assertFalse(prometheus.query("count_over_time(ALERTS{alertname=\"" + UE_WITHOUT_UPF + "\",alertstate=\"pending\"}[5m])")
        .isEmpty(), "never pending before firing");

    JsonObject pool = await().atMost(Kube.TIMEOUT).until(() -> alert(POOL_EXHAUSTED),
        a -> a.isPresent() && "firing".equals(a.get().get("state").getAsString())).orElseThrow();
    assertEquals("1 UE(s) in " + ns + " wait for a UE address block, the longest ue-3: UPF_POOL_CIDR is used up",
        pool.getAsJsonObject("annotations").get("summary").getAsString());

    // The dashboard, as Grafana would ask, while two UEs are attached and one waits.
    Map<String, String> queries = dashboardQueries();
    await().atMost(Kube.TIMEOUT).untilAsserted(() -> assertEquals(List.of(), withoutData(queries)));
    assertTrue(prometheus.query("count by (namespace) (dynamic_slicing_upfs)").stream()
        .anyMatch(s -> ns.equals(s.labels().get("namespace"))), "the $namespace variable offers the UEs' namespace");

    kube.deletePod(ns, "ue-1");
    kube.awaitUpf(ns, "upf-ue-3");
    await().atMost(Kube.TIMEOUT).until(() -> alert(UE_WITHOUT_UPF).isEmpty() && alert(POOL_EXHAUSTED).isEmpty());
    List<Sample> waitingNow = prometheus.query("dynamic_slicing_ues_waiting{namespace=\"" + ns + "\"}");
    assertTrue(!waitingNow.isEmpty() && waitingNow.stream().allMatch(s -> s.value() == 0), "the wait reads 0 once over: "
        + waitingNow);
    // A healthy controller: since its first scrape none of the other alerts was ever even pending.
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - scrapedSince) - 1;
    assertEquals(List.of(), prometheus.query(
        "count_over_time(ALERTS{alertname!~\"" + UE_WITHOUT_UPF + "|" + POOL_EXHAUSTED + "\"}[" + seconds + "s])"));

    prometheus.close();
    assertFalse(prometheus.isAlive(), "Prometheus stopped");
  }

  /**
   * The shipped rules, with two alerts made fast enough for a test and everything else as shipped:
   * DynamicSlicingUeWithoutUpf fires once a UE has waited over 3 s, held for 5 s (shipped: over
   * 300 s, for 1m), and DynamicSlicingUpfPoolExhausted after 3 s (shipped: 1m).
   */
  private static String testRules() throws IOException {
    Map<String, Object> doc = AlertRules.load(AlertRules.plainFile());
    for (Map<String, Object> rule : AlertRules.rules(doc)) {
      if (UE_WITHOUT_UPF.equals(rule.get("alert"))) {
        rule.put("expr", replaced((String) rule.get("expr"), "> 300", "> 3"));
        rule.put("for", replaced((String) rule.get("for"), "1m", "5s"));
      } else if (POOL_EXHAUSTED.equals(rule.get("alert"))) {
        rule.put("for", replaced((String) rule.get("for"), "1m", "3s"));
      }
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(1_000);
    return new Yaml(options).dump(doc);
  }

  private static String replaced(String text, String from, String to) {
    if (!text.contains(from)) {
      throw new IllegalStateException("the shipped rule changed ('" + text + "' has no '" + from + "'): update testRules");
    }
    return text.replace(from, to);
  }

  private static Map<String, String> allOk(Set<String> names) {
    Map<String, String> out = new TreeMap<>();
    names.forEach(n -> out.put(n, "ok"));
    return out;
  }

  /** The pending or firing alert {@code name}, if any (at most one here: one namespace, one waiting UE). */
  private Optional<JsonObject> alert(String name) throws Exception {
    List<JsonObject> found = new ArrayList<>();
    for (JsonElement a : prometheus.alerts()) {
      if (name.equals(a.getAsJsonObject().getAsJsonObject("labels").get("alertname").getAsString())) {
        found.add(a.getAsJsonObject());
      }
    }
    assertTrue(found.size() <= 1, () -> "one " + name + " expected: " + found);
    return found.stream().findFirst();
  }

  private static Map<String, String> strings(JsonObject o) {
    Map<String, String> out = new TreeMap<>();
    o.entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
    return out;
  }

  /**
   * Every query of every panel of the shipped dashboard, by "panel title / refId", with the
   * dashboard's variables as Grafana fills them: $namespace is the test's namespace.
   */
  private Map<String, String> dashboardQueries() throws IOException {
    JsonObject dashboard = JsonParser.parseString(
        Files.readString(AlertRules.monitoringDir().resolve("grafana-dashboard.json"))).getAsJsonObject();
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonElement p : dashboard.getAsJsonArray("panels")) {
      JsonObject panel = p.getAsJsonObject();
      for (JsonElement t : panel.getAsJsonArray("targets")) {
        String expr = t.getAsJsonObject().get("expr").getAsString()
            .replace("${namespace}", ns).replace("$namespace", ns);
        assertFalse(expr.contains("$"), "a dashboard variable this test does not fill: " + expr);
        out.put(panel.get("title").getAsString() + " / " + t.getAsJsonObject().get("refId").getAsString(), expr);
      }
    }
    assertTrue(out.size() >= 10, "the dashboard's queries: " + out.keySet());
    return out;
  }

  /** The queries that return nothing, or a value that is not a number (a quantile of no events). */
  private List<String> withoutData(Map<String, String> queries) throws Exception {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> q : queries.entrySet()) {
      List<Sample> samples = prometheus.query(q.getValue());
      if (samples.isEmpty() || samples.stream().anyMatch(s -> !Double.isFinite(s.value()))) {
        out.add(q.getKey() + ": " + q.getValue() + " -> " + samples);
      }
    }
    return out;
  }
}
