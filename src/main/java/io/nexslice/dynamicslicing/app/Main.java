package io.nexslice.dynamicslicing.app;

import io.kubernetes.client.openapi.ApiClient;
import io.nexslice.dynamicslicing.config.ConfigException;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring only: configuration, clients, the controller, the HTTP endpoints, signal handling. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("--train-class-data-sharing")) {
      // Image build time (Dockerfile), with -XX:ArchiveClassesAtExit: see ClassDataTraining.
      ClassDataTraining.run();
      System.exit(0);
    }
    Map<String, String> env = System.getenv();
    ControllerConfig config;
    try {
      config = ControllerConfig.fromEnvironment(env);
    } catch (ConfigException e) {
      System.err.println("dynamic-slicing: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    ApiClient client;
    ApiClient watchClient;
    try {
      client = KubeClients.forRequests(env);
      watchClient = KubeClients.forWatches(env);
    } catch (IOException e) {
      System.err.println("dynamic-slicing: " + e.getMessage());
      System.exit(3);
      return;
    }
    log.info("Starting dynamic-slicing: cluster from {}, namespaces={}, selector='{}', profile={}, image={},"
            + " replicas={}, default slice {}, pool {}",
        KubeClients.describe(env), config.watchesAllNamespaces() ? "*" : config.watchNamespaces(),
        config.ueSelector(), config.upfProfile(), config.upfImage().orElse("(profile default)"),
        config.upfReplicas(), config.defaultSlice(), config.pool());
    log.info("Mode {}, leader election {}", config.mode().text(),
        config.leaderElection().enabled() ? "on (lease " + config.leaderElection().leaseNamespace() + "/"
            + config.leaderElection().leaseName() + ")" : "off");

    DynamicSlicingApp app;
    try {
      // Losing the lease leaves informers that cannot be restarted: exit, the pod restarts clean.
      app = new DynamicSlicingApp(config, client, watchClient, () -> System.exit(1));
    } catch (ConfigException e) {
      System.err.println("dynamic-slicing: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Shutting down");
      app.close();
      stopped.countDown();
    }, "shutdown"));
    app.start();
    log.info("Serving /healthz, /readyz, /metrics, /api/ues and /api/ue-count on port {}", app.httpPort());
    stopped.await();
  }
}
