package io.nexslice.dynamicslicing.pool;

/**
 * A UPF, by namespace and name: who holds an address block, a static address or a slot of a
 * slice's budget. Its text form is the informer's cache key of the UPF's Deployment
 * ("namespace/name"), which is what the indexes answer with; the pools compare the two.
 */
public record UpfKey(String namespace, String name) {
  public String cacheKey() {
    return namespace + "/" + name;
  }

  @Override
  public String toString() {
    return cacheKey();
  }
}
