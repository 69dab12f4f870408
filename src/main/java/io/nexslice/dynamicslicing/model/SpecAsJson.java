package io.nexslice.dynamicslicing.model;

/**
 * An object as the controller's cache keeps its own UPF objects: metadata as a model, the spec
 * as the compact JSON the API server sent.
 *
 * <p>Why: the spec is read only to tell whether it still holds what we would apply (see
 * {@link ApplyJson#difference}), and that check works on JSON anyway. Kept as one string, a
 * Deployment's spec takes about 2 KiB instead of the ~10 KiB of client-java's model objects,
 * which is most of the controller's memory with thousands of UEs (docs/BENCHMARKS.md, P3).
 */
public interface SpecAsJson {
  /** The object's spec as JSON, or null when it has none. */
  String specJson();
}
