package io.nexslice.dynamicslicing.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.kubernetes.client.openapi.JSON;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * A Gson that writes client-java's models to the same JSON as client-java's own Gson, without
 * its one-factory-per-model lookup.
 *
 * <p>Why: client-java's Gson registers a type adapter factory for each of its ~1 000 models and
 * asks them in turn for every type it has not met yet. The first Deployment written meets the
 * hundred-odd types a pod spec reaches, and on a cold start that walk was 0.2-0.3 s of the first
 * reconcile (docs/BENCHMARKS.md, P5); it also wraps every model in a JSON tree on each write.
 * The models name their fields with {@code @SerializedName} and IntOrString and Quantity carry
 * {@code @JsonAdapter}, so plain reflection writes the same fields; only the adapters for dates
 * and byte arrays are client-java's. ModelGsonTest holds the two to the same apply bodies for
 * every object each profile builds.
 */
public final class ModelGson {
  private ModelGson() {}

  /** For writing models (apply bodies, desired-state comparison); reading stays client-java's. */
  public static Gson create(JSON clientJava) {
    Gson borrowed = clientJava.getGson();
    return new GsonBuilder()
        .registerTypeAdapter(OffsetDateTime.class, borrowed.getAdapter(OffsetDateTime.class))
        .registerTypeAdapter(LocalDate.class, borrowed.getAdapter(LocalDate.class))
        .registerTypeAdapter(byte[].class, borrowed.getAdapter(byte[].class))
        .create();
  }
}
