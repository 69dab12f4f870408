package io.nexslice.dynamicslicing.runtime;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.util.ClientBuilder;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.UpfDesiredState;
import io.nexslice.dynamicslicing.profile.Free5gcUpfProfile;
import io.nexslice.dynamicslicing.profile.OaiUpfProfile;
import io.nexslice.dynamicslicing.profile.UpfProfile;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The training run for class-data sharing ({@code --train-class-data-sharing}, with
 * {@code -XX:ArchiveClassesAtExit}): loads the classes a start-up needs, without a cluster, so the
 * JVM can map them from an archive instead of loading and verifying them one by one.
 *
 * <p>Why: on 5 000 UEs, loading and verifying some 7 000 classes was a second of the controller's
 * start-up on two cores (docs/BENCHMARKS.md, P5). It builds the whole application (informers,
 * queue, event recorder, HTTP endpoints) without starting it, and runs the desired-state,
 * decoding and comparison code once per profile. It opens no connection.
 */
public final class ClassDataTraining {
  private ClassDataTraining() {}

  public static void run() throws Exception {
    ControllerConfig config = ControllerConfig.fromEnvironment(Map.of("WATCH_NAMESPACES", "training", "HTTP_PORT", "0"));
    // A client for an address nothing listens on: building it loads TLS and HTTP/2, calls none.
    ApiClient client = new ClientBuilder().setBasePath("https://127.0.0.1:1").setVerifyingSsl(true).build();
    new DynamicSlicingApp(config, client, client, () -> {});
    ApplyJson applyJson = new ApplyJson(new JSON());
    for (UpfProfile profile : List.of(new OaiUpfProfile(), new Free5gcUpfProfile())) {
      ReconcileWarmUp.run(new UpfDesiredState(profile, Optional.empty(), 1, "oai-nrf"), applyJson);
    }
    CacheDecoder.pod(reader("""
        {"metadata":{"name":"ue","namespace":"training","creationTimestamp":"2026-01-01T00:00:00Z"},
         "spec":{"volumes":[{"name":"c","configMap":{"name":"ue"}}]},
         "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}"""));
    LoggerFactory.getLogger(ClassDataTraining.class).info("Class-data sharing training done");
  }

  private static Utf8JsonReader reader(String json) {
    return Utf8JsonReader.of(json);
  }
}
