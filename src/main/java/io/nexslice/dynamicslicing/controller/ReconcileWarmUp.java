package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.common.KubernetesObject;
import io.nexslice.dynamicslicing.cache.CacheDecoder;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.slice.Slice;
import java.util.Optional;

/**
 * A reconcile's pure work done once on a made-up UE: desired state, apply bodies and the
 * comparison. No request is made, and nothing goes into a cache.
 *
 * <p>Why: the first reconcile of a process is its slowest by far. Rendering the profile's
 * configuration, building the JSON adapters of a Deployment's hundred-odd model types and the
 * compiler's first passes over that code took ~130 ms of CPU per worker, and the four workers
 * all start cold at once, as soon as the caches are synced. Run while the informers' lists are
 * in flight, the same work overlaps with waiting for the API server (docs/BENCHMARKS.md, P5).
 *
 * <p>It compares each object with itself rather than with a decoded copy. The controller's
 * {@link CacheDecoder} packs each kind of text against the first one it decodes, and a made-up
 * UE's apply body (no server defaults, our field order) made a poor dictionary: +2 MiB of heap
 * on 5 000 UEs (P3). The informers' lists, decoding meanwhile, warm the decoder up.
 */
public final class ReconcileWarmUp {
  private ReconcileWarmUp() {}

  public static UpfObjects run(UpfDesiredState desired, ApplyJson applyJson) {
    UpfObjects upf = desired.build(new UeRef("warm-up", "ue", "warm-up"), new Slice(1, Optional.of("FFFFFF"), "oai"),
        "12.1.0.0/24");
    for (KubernetesObject o : upf.all()) {
      applyJson.body(o);
      applyJson.difference(o, o);
    }
    return upf;
  }
}
