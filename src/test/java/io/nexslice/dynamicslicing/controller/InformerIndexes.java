package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.pool.AddressPool;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The indexes NamespaceController adds to its informers, for unit tests that build the caches by
 * hand (reconcile/ReconcileHarness): the same index functions, so a fake cache answers the
 * reconcilers, the pool and the budget exactly as the informers do. An index the production code
 * adds and this one lacks fails loudly: Cache.byIndex throws for an unknown index.
 */
public final class InformerIndexes {
  public static final String BY_OWNER_POD = Indexes.BY_OWNER_POD;
  public static final String BY_POOL_BLOCK = Indexes.BY_POOL_BLOCK;
  public static final String BY_SLICE = Indexes.BY_SLICE;

  private InformerIndexes() {}

  /** As NamespaceController adds them to the Deployment informer. */
  public static Map<String, Function<V1Deployment, List<String>>> deployments(AddressPool pool) {
    return Map.of(Indexes.BY_POOL_BLOCK, Indexes.poolBlocks(pool),
        Indexes.BY_OWNER_POD, Indexes::ownerPods, Indexes.BY_SLICE, Indexes::perUeSlice);
  }

  /** As NamespaceController reads the pool index: namespace/name -> recorded pool. */
  public static Optional<String> recordedPool(V1Deployment d) {
    return Indexes.recordedPool(d);
  }

  /** As NamespaceController adds them to the Pod informer. */
  public static Map<String, Function<V1Pod, List<String>>> pods() {
    return Map.of(Indexes.BY_CONFIGMAP, Indexes::mountedConfigMaps);
  }
}
