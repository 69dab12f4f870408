package io.nexslice.dynamicslicing.app;

import io.kubernetes.client.openapi.ApiClient;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training run for class-data sharing ({@code --train-class-data-sharing}, with
 * {@code -XX:ArchiveClassesAtExit}): loads the classes a start-up needs, without a cluster, so the
 * JVM can map them from an archive instead of loading and verifying them one by one.
 *
 * <p>Why: on 5 000 UEs, loading and verifying some 7 000 classes was a second of the controller's
 * start-up on two cores (docs/BENCHMARKS.md, P5). The run starts the whole controller against
 * {@link TrainingApiServer}, a stand-in on the loopback address (once with an RSA certificate,
 * once with an EC one), through a kubeconfig as users give it: the TLS handshake, the kubeconfig
 * parser, the informers' lists and watches, a reconcile that applies a UE's UPF and posts its
 * event. It then runs the desired-state, decoding and comparison code of every profile. Should
 * the stand-in fail, the run still ends well: an archive of fewer classes only starts slower.
 */
public final class ClassDataTraining {
  private static final Logger log = LoggerFactory.getLogger(ClassDataTraining.class);
  /** How long one start against the stand-in may take before the run moves on. */
  private static final Duration START_LIMIT = Duration.ofSeconds(20);

  private ClassDataTraining() {}

  public static void run() throws Exception {
    ControllerConfig config = ControllerConfig.fromEnvironment(Map.of("WATCH_NAMESPACES", "training", "HTTP_PORT", "0"));
    boolean started = false;
    for (String keyAlgorithm : List.of("RSA", "EC")) {
      try {
        startAgainstStandIn(config, keyAlgorithm);
        started = true;
      } catch (Exception e) {
        log.warn("Class-data training: the start against the stand-in API server ({}) failed: {}", keyAlgorithm, e.toString());
      }
    }
    if (!started) {
      // At least the application's own classes: build it with a client for an address nothing
      // listens on, and start nothing.
      ApiClient client = new ClientBuilder().setBasePath("https://127.0.0.1:1").setVerifyingSsl(true).build();
      new DynamicSlicingApp(config, client, client, () -> {});
    }
    ApplyJson applyJson = new ApplyJson(new JSON());
    // The cache's side: the objects as the API server sends them back, decoded and compared. A
    // decoder of its own: the first text of a kind becomes its packing dictionary, and these
    // made-up UEs' must not become a controller's (see ReconcileWarmUp).
    CacheDecoder decoder = new CacheDecoder();
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

  /** Starts the controller against the stand-in and waits for its first reconcile to write. */
  private static void startAgainstStandIn(ControllerConfig config, String keyAlgorithm) throws Exception {
    Map<String, String> answers = new LinkedHashMap<>();
    answers.put("/pods", """
        {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[
         {"metadata":{"name":"ue","namespace":"training","uid":"training-ue","resourceVersion":"1",
           "creationTimestamp":"2026-01-01T00:00:00Z","labels":{"nexslice.io/dynamic-upf":"true"}},
          "spec":{"containers":[{"name":"ue","image":"ue"}],"volumes":[{"name":"c","configMap":{"name":"ue","optional":true}}]},
          "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True",
           "lastTransitionTime":"2026-01-01T00:00:00Z"}]}}]}""");
    answers.put("/deployments", "{\"kind\":\"DeploymentList\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}");
    answers.put("/services", "{\"kind\":\"ServiceList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}");
    answers.put("/configmaps", "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}");
    Path dir = Files.createTempDirectory("dynamic-slicing-training");
    try (TrainingApiServer server = new TrainingApiServer(keyAlgorithm, answers)) {
      Map<String, String> env = Map.of("KUBECONFIG", server.kubeconfig(dir).toString());
      DynamicSlicingApp app = new DynamicSlicingApp(config, KubeClients.forRequests(env), KubeClients.forWatches(env), () -> {});
      try {
        app.start();
        if (!server.awaitWrites(START_LIMIT)) {
          log.warn("Class-data training: no UPF written against the stand-in ({}) within {}", keyAlgorithm, START_LIMIT);
        }
      } finally {
        app.close();
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
