package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.nexslice.dynamicslicing.monitoring.RequiredTool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's /usr/bin/prometheus, 2.42) scraping one controller's /metrics every
 * second and evaluating the given rules every second, on a free loopback port, with its config,
 * TSDB and log in a directory of its own. Stopped by {@link #close()}, or by a JVM shutdown hook
 * if the test run dies first, so no Prometheus outlives the tests.
 */
final class RunningPrometheus implements AutoCloseable {
  /** The ServiceMonitor's job: the rules and the dashboard select on it. */
  static final String JOB = "dynamic-slicing-metrics";

  /** One sample of an instant vector. */
  record Sample(Map<String, String> labels, double value) {}

  private final Process process;
  private final Thread killOnExit;
  private final URI base;
  private final Path log;
  private final HttpClient http = HttpClient.newHttpClient();

  private RunningPrometheus(Process process, Thread killOnExit, URI base, Path log) {
    this.process = process;
    this.killOnExit = killOnExit;
    this.base = base;
    this.log = log;
  }

  /**
   * Starts Prometheus in {@code dir} scraping {@code target} (host:port) as the kube-prometheus-stack
   * ServiceMonitor would (job, honor_labels, the namespace and pod target labels), with
   * {@code rules} (a rules file's text); returns once it answers /-/ready.
   */
  static RunningPrometheus start(Path dir, String target, String targetNamespace, String rules) throws Exception {
    Path prometheus = RequiredTool.find("prometheus");
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("rules.yaml"), rules);
    Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - rules.yaml
        scrape_configs:
          - job_name: %s
            honor_labels: true
            static_configs:
              - targets: ['%s']
                labels:
                  namespace: %s
                  pod: dynamic-slicing-0
        """.formatted(JOB, target, targetNamespace));
    int port = freePort();
    Path log = dir.resolve("prometheus.log");
    Process p = new ProcessBuilder(prometheus.toString(),
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Thread killOnExit = new Thread(p::destroyForcibly, "stop-prometheus");
    Runtime.getRuntime().addShutdownHook(killOnExit);
    RunningPrometheus running = new RunningPrometheus(p, killOnExit, URI.create("http://127.0.0.1:" + port), log);
    try {
      await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> {
        if (!p.isAlive()) {
          throw new IllegalStateException("prometheus exited: " + running.logTail());
        }
        return running.get("/-/ready").statusCode() == 200;
      });
    } catch (RuntimeException e) {
      running.close();
      throw e;
    }
    return running;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code data} of an API answer; throws with Prometheus' own error when it refused. */
  private JsonElement api(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> r = get(pathAndQuery);
    JsonObject answer = JsonParser.parseString(r.body()).getAsJsonObject();
    if (r.statusCode() != 200 || !"success".equals(answer.get("status").getAsString())) {
      throw new IllegalStateException(pathAndQuery + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return answer.get("data");
  }

  /** An instant query, evaluated now. */
  List<Sample> query(String promql) throws IOException, InterruptedException {
    JsonObject data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).getAsJsonObject();
    if (!"vector".equals(data.get("resultType").getAsString())) {
      throw new IllegalStateException(promql + " gave a " + data.get("resultType") + ", not a vector");
    }
    List<Sample> out = new ArrayList<>();
    for (JsonElement e : data.getAsJsonArray("result")) {
      JsonObject s = e.getAsJsonObject();
      Map<String, String> labels = new TreeMap<>();
      s.getAsJsonObject("metric").entrySet().forEach(l -> labels.put(l.getKey(), l.getValue().getAsString()));
      out.add(new Sample(labels, Double.parseDouble(s.getAsJsonArray("value").get(1).getAsString())));
    }
    return out;
  }

  /** The alerts pending or firing now, as /api/v1/alerts has them (labels, annotations, state). */
  JsonArray alerts() throws IOException, InterruptedException {
    return api("/api/v1/alerts").getAsJsonObject().getAsJsonArray("alerts");
  }

  /** Alerting rules loaded, with their health ("ok" once evaluated without error). */
  Map<String, String> alertingRules() throws IOException, InterruptedException {
    Map<String, String> out = new TreeMap<>();
    for (JsonElement g : api("/api/v1/rules?type=alert").getAsJsonObject().getAsJsonArray("groups")) {
      for (JsonElement r : g.getAsJsonObject().getAsJsonArray("rules")) {
        out.put(r.getAsJsonObject().get("name").getAsString(), r.getAsJsonObject().get("health").getAsString());
      }
    }
    return out;
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM (Prometheus shuts down cleanly in well under a second), then SIGKILL after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running already: nothing left to undo
    }
  }
}
