package io.nexslice.dynamicslicing;

import io.kubernetes.client.openapi.ApiClient;
import io.nexslice.dynamicslicing.config.ConfigException;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.http.HealthServer;
import io.nexslice.dynamicslicing.reconcile.ReconcileListener;
import io.nexslice.dynamicslicing.runtime.KubeClients;
import io.nexslice.dynamicslicing.runtime.UpfController;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring only: configuration, clients, the controller, the HTTP endpoints, signal handling. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
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
    } catch (java.io.IOException e) {
      System.err.println("dynamic-slicing: " + e.getMessage());
      System.exit(3);
      return;
    }
    log.info("Starting dynamic-slicing: cluster from {}, namespaces={}, selector='{}', profile={}, image={},"
            + " replicas={}, default slice {}, pool {}",
        KubeClients.describe(env), config.watchesAllNamespaces() ? "*" : config.watchNamespaces(),
        config.ueSelector(), config.upfProfile(), config.upfImage().orElse("(profile default)"),
        config.upfReplicas(), config.defaultSlice(), config.pool());

    UpfController controller;
    try {
      controller = new UpfController(config, client, watchClient, ReconcileListener.NONE);
    } catch (ConfigException e) {
      System.err.println("dynamic-slicing: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    HealthServer http = new HealthServer(config.httpPort(), controller::hasSynced);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Shutting down");
      controller.shutdown();
      http.close();
      stopped.countDown();
    }, "shutdown"));
    http.start();
    log.info("Serving /healthz and /readyz on port {}", http.port());
    controller.start();
    stopped.await();
  }
}
