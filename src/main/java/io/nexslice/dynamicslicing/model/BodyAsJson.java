package io.nexslice.dynamicslicing.model;

/**
 * An object as the controller's cache keeps its own UPF objects: metadata as a model, the body
 * (a Deployment's or Service's spec, a ConfigMap's data) as the JSON the API server sent.
 *
 * <p>Why: the body is read only to tell whether it still holds what we would apply (see
 * {@link ApplyJson#difference}), and that check works on JSON anyway. Kept as (packed) JSON, a
 * Deployment's spec takes a few hundred bytes instead of the ~10 KiB of client-java's model
 * objects, which was most of the controller's memory with thousands of UEs (docs/BENCHMARKS.md, P3).
 */
public interface BodyAsJson {
  /** The field the body is: "spec" or "data". */
  String field();

  /** The body as JSON, or null when the object has none. */
  String json();
}
