package io.nexslice.dynamicslicing.pool;

/** A UE pod, by namespace and name: who waits for a slot of a slice's budget. */
public record UeKey(String namespace, String name) {
  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
