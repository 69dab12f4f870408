package io.nexslice.dynamicslicing.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class DeploymentChangeTest {
  /** A UPF Deployment as the cache holds it (CacheDecoder keeps only availableReplicas of the status). */
  private static V1Deployment cached(Consumer<V1Deployment> change) {
    V1Deployment d = new V1Deployment().metadata(new V1ObjectMeta().namespace("ns").name("upf-ue1").uid("u1")
            .resourceVersion("10").generation(1L)
            .labels(Map.of("app.kubernetes.io/managed-by", "dynamic-slicing"))
            .annotations(Map.of("nexslice.io/slice", "sst=1"))
            .ownerReferences(List.of(new V1OwnerReference().kind("Pod").name("ue1").uid("p1").controller(true))))
        .status(new V1DeploymentStatus());
    change.accept(d);
    return d;
  }

  @Test
  void kubeControllerManagersStatusWritesAndRevisionAnnotationWakeNoReconcile() {
    V1Deployment before = cached(d -> { });
    assertFalse(DeploymentChange.mattersToReconciles(before, cached(d -> d.getMetadata().resourceVersion("11"))));
    assertFalse(DeploymentChange.mattersToReconciles(before, cached(d -> d.getMetadata().resourceVersion("12")
        .annotations(Map.of("nexslice.io/slice", "sst=1", "deployment.kubernetes.io/revision", "1")))));
  }

  @Test
  void whatReconcilesReadWakesThem() {
    V1Deployment before = cached(d -> { });
    List<Consumer<V1Deployment>> changes = List.of(
        d -> d.getMetadata().generation(2L), // its spec changed (someone edited it, or our apply)
        d -> d.status(new V1DeploymentStatus().availableReplicas(1)), // a replica available: the mark
        d -> d.getMetadata().deletionTimestamp(OffsetDateTime.now()),
        d -> d.getMetadata().labels(Map.of()),
        d -> d.getMetadata().ownerReferences(List.of()),
        d -> d.getMetadata().annotations(Map.of("nexslice.io/slice", "sst=2")),
        d -> d.getMetadata().uid("u2"));
    for (Consumer<V1Deployment> change : changes) {
      assertTrue(DeploymentChange.mattersToReconciles(before, cached(change.andThen(d -> d.getMetadata().resourceVersion("11")))));
    }
    assertTrue(DeploymentChange.mattersToReconciles(cached(d -> d.status(new V1DeploymentStatus().availableReplicas(1))),
        before), "and losing its replica");
  }
}
