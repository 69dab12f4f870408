package io.nexslice.dynamicslicing.app;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.util.ClientBuilder;
import io.nexslice.dynamicslicing.cache.CacheDecoder;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.controller.ReconcileWarmUp;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.profile.Free5gcUpfProfile;
import io.nexslice.dynamicslicing.profile.OaiUpfProfile;
import io.nexslice.dynamicslicing.profile.UpfProfile;
import io.nexslice.dynamicslicing.write.ServerSideApplyWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training run for class-data sharing ({@code --train-class-data-sharing}, with
 * {@code -XX:ArchiveClassesAtExit}): loads the classes a start-up needs, without a cluster and
 * without anything that answers like one, so the JVM can map them from an archive instead of
 * loading and verifying them one by one.
 *
 * <p>Why: on 5 000 UEs, loading and verifying some 7 000 classes was a second of the controller's
 * start-up on two cores (docs/BENCHMARKS.md, P5). The run builds and starts the whole controller
 * against a loopback socket that hangs up on every connection: the informers, the work queue,
 * the HTTP endpoints and the client's TLS handshake run until the first connection fails, and a
 * server-side apply is built and sent the same way. It then runs the desired-state, decoding and
 * comparison code of every profile on made-up objects. What it cannot reach, the end of a TLS
 * handshake and the parsing of real answers, is loaded at the controller's first start instead
 * (P5 measures what that costs). An earlier training started the controller against a stand-in
 * API server with certificates minted at run time; that server and BouncyCastle are no longer
 * in the jar.
 */
public final class ClassDataTraining {
  private static final Logger log = LoggerFactory.getLogger(ClassDataTraining.class);
  /** Connections to wait for: the four informers' lists and the apply. */
  private static final int CONNECTIONS = 5;

  private ClassDataTraining() {}

  public static void run() throws Exception {
    ControllerConfig config = ControllerConfig.fromEnvironment(Map.of("WATCH_NAMESPACES", "training", "HTTP_PORT", "0"));
    ApplyJson applyJson = new ApplyJson(new JSON());
    try (ServerSocket hangUp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CountDownLatch connections = new CountDownLatch(CONNECTIONS);
      Thread acceptor = new Thread(() -> hangUpOnEveryone(hangUp, connections), "training-hang-up");
      acceptor.setDaemon(true);
      acceptor.start();
      ApiClient client = new ClientBuilder().setBasePath("https://127.0.0.1:" + hangUp.getLocalPort())
          .setVerifyingSsl(true).build();
      DynamicSlicingApp app = new DynamicSlicingApp(config, client, client, () -> {});
      try {
        app.start();
        UpfObjects upf = ReconcileWarmUp.run(
            new UpfDesiredState(new OaiUpfProfile(), Optional.empty(), 1, sst -> "oai-nrf"), applyJson);
        try {
          new ServerSideApplyWriter(client, applyJson).apply(upf.deployment());
        } catch (ApiException expected) {
          // the socket hung up: the request was built and sent, which is what is trained here
        }
        if (!connections.await(20, TimeUnit.SECONDS)) {
          log.warn("Class-data training: fewer than {} connections were tried", CONNECTIONS);
        }
      } finally {
        app.close();
      }
    }
    // The cache's side: the objects as the API server sends them back, decoded and compared. A
    // decoder of its own: the first text of a kind becomes its packing dictionary, and these
    // made-up UEs' must not become a controller's (see ReconcileWarmUp).
    CacheDecoder decoder = new CacheDecoder();
    decoder.read(decoder::pod, """
        {"metadata":{"name":"ue","namespace":"training","uid":"training-ue","resourceVersion":"1",
          "creationTimestamp":"2026-01-01T00:00:00Z","labels":{"nexslice.io/dynamic-upf":"true"}},
         "spec":{"containers":[{"name":"ue","image":"ue"}],"volumes":[{"name":"c","configMap":{"name":"ue","optional":true}}]},
         "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True",
          "lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""");
    for (UpfProfile profile : List.of(new OaiUpfProfile(), new Free5gcUpfProfile())) {
      UpfObjects upf = ReconcileWarmUp.run(new UpfDesiredState(profile, Optional.empty(), 1, sst -> "oai-nrf"), applyJson);
      applyJson.difference(upf.deployment(), decoder.read(decoder::deployment, applyJson.body(upf.deployment())));
      applyJson.difference(upf.service(), decoder.read(decoder::service, applyJson.body(upf.service())));
      if (upf.configMap() != null) {
        applyJson.difference(upf.configMap(), decoder.read(decoder::configMap, applyJson.body(upf.configMap())));
      }
    }
    log.info("Class-data sharing training done");
  }

  /** Accepts every connection and closes it at once: the client gets as far as its TLS hello. */
  private static void hangUpOnEveryone(ServerSocket socket, CountDownLatch connections) {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        connections.countDown();
      } catch (IOException e) {
        return; // closed: the run is over
      }
    }
  }
}
