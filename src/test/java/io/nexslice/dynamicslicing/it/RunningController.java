package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;

import io.kubernetes.client.openapi.ApiClient;
import io.nexslice.dynamicslicing.app.DynamicSlicingApp;
import io.nexslice.dynamicslicing.app.KubeClients;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** The controller under test, run in the test JVM as Main runs it, with the configuration a user would give. */
public final class RunningController implements AutoCloseable {
  private final DynamicSlicingApp app;
  private final AtomicBoolean lostLeadership;

  private RunningController(DynamicSlicingApp app, AtomicBoolean lostLeadership) {
    this.app = app;
    this.lostLeadership = lostLeadership;
  }

  static Map<String, String> env(TestCluster cluster, String namespace, Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", cluster.kubeconfig().toString());
    env.put("WATCH_NAMESPACES", namespace);
    env.put("HTTP_PORT", "0");
    env.putAll(extraEnv);
    return env;
  }

  /** Starts a controller watching {@code namespace} with {@code extraEnv} on top; waits until it is ready. */
  public static RunningController start(TestCluster cluster, String namespace, Map<String, String> extraEnv)
      throws Exception {
    Map<String, String> env = env(cluster, namespace, extraEnv);
    RunningController c = startWith(ControllerConfig.fromEnvironment(env), KubeClients.forRequests(env),
        KubeClients.forWatches(env));
    await().atMost(Kube.TIMEOUT).until(c.app::isReady);
    return c;
  }

  public static RunningController start(TestCluster cluster, String namespace) throws Exception {
    return start(cluster, namespace, Map.of());
  }

  /** Starts with the given clients (another user's, say) and returns at once. */
  public static RunningController startWith(ControllerConfig config, ApiClient client, ApiClient watchClient)
      throws Exception {
    AtomicBoolean lost = new AtomicBoolean();
    DynamicSlicingApp app = new DynamicSlicingApp(config, client, watchClient, () -> lost.set(true));
    app.start();
    return new RunningController(app, lost);
  }

  public DynamicSlicingApp app() {
    return app;
  }

  public boolean lostLeadership() {
    return lostLeadership.get();
  }

  /** GET on the controller's own HTTP port. */
  public HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    app.close();
  }

  static ApiClient withoutReadTimeout(ApiClient c) {
    c.setHttpClient(c.getHttpClient().newBuilder().readTimeout(0, TimeUnit.SECONDS).build());
    return c;
  }
}
