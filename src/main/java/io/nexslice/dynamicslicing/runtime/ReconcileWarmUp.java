package io.nexslice.dynamicslicing.runtime;

import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UpfDesiredState;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.slice.Slice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * A reconcile's pure work done once on a made-up UE: desired state, apply bodies, decoding of the
 * objects as the API server would send them back, and the comparison. No request is made.
 *
 * <p>Why: the first reconcile of a process is its slowest by far. Rendering the profile's
 * configuration, building the JSON adapters of a Deployment's hundred-odd model types and the
 * compiler's first passes over that code took ~130 ms of CPU per worker, and the four workers
 * all start cold at once, as soon as the caches are synced. Run while the informers' lists are
 * in flight, the same work overlaps with waiting for the API server (docs/BENCHMARKS.md, P5).
 * The class-data training run (ClassDataTraining) runs it too, so its classes are archived.
 */
final class ReconcileWarmUp {
  private ReconcileWarmUp() {}

  static void run(UpfDesiredState desired, ApplyJson applyJson) {
    try {
      UpfObjects upf = desired.build(new UeRef("warm-up", "ue", "warm-up"), new Slice(1, Optional.of("FFFFFF"), "oai"),
          "12.1.0.0/24");
      applyJson.difference(upf.deployment(), CacheDecoder.deployment(Utf8JsonReader.of(applyJson.body(upf.deployment()))));
      applyJson.difference(upf.service(), CacheDecoder.service(Utf8JsonReader.of(applyJson.body(upf.service()))));
      if (upf.configMap() != null) {
        applyJson.difference(upf.configMap(), CacheDecoder.configMap(Utf8JsonReader.of(applyJson.body(upf.configMap()))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
