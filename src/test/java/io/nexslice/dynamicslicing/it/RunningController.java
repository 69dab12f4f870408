package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;

import io.kubernetes.client.openapi.ApiClient;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.reconcile.ReconcileListener;
import io.nexslice.dynamicslicing.runtime.KubeClients;
import io.nexslice.dynamicslicing.runtime.UpfController;
import java.util.HashMap;
import java.util.Map;

/** The controller under test, run in the test JVM with the configuration a user would give it. */
public final class RunningController implements AutoCloseable {
  private final UpfController controller;

  private RunningController(UpfController controller) {
    this.controller = controller;
  }

  /** Starts a controller watching {@code namespace} with {@code extraEnv} on top; waits for its caches. */
  public static RunningController start(TestCluster cluster, String namespace, Map<String, String> extraEnv)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", cluster.kubeconfig().toString());
    env.put("WATCH_NAMESPACES", namespace);
    env.put("HTTP_PORT", "0");
    env.putAll(extraEnv);
    ControllerConfig config = ControllerConfig.fromEnvironment(env);
    ApiClient client = KubeClients.forRequests(env);
    ApiClient watchClient = KubeClients.forWatches(env);
    UpfController controller = new UpfController(config, client, watchClient, ReconcileListener.NONE);
    controller.start();
    await().atMost(Kube.TIMEOUT).until(controller::hasSynced);
    return new RunningController(controller);
  }

  public static RunningController start(TestCluster cluster, String namespace) throws Exception {
    return start(cluster, namespace, Map.of());
  }

  public UpfController controller() {
    return controller;
  }

  @Override
  public void close() {
    controller.shutdown();
  }
}
