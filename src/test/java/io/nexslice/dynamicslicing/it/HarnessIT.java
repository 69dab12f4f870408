package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Proves the test cluster is a real one: controllers run, validation and RBAC are enforced. */
@ExtendWith(ClusterExtension.class)
class HarnessIT {
  private Kube kube;
  private String ns;

  @BeforeEach
  void setUp(Kube kube) throws ApiException {
    this.kube = kube;
    this.ns = kube.createNamespace("harness");
  }

  @AfterEach
  void tearDown() {
    kube.deleteNamespace(ns);
  }

  private V1Deployment deployment(String name, int replicas, V1OwnerReference owner) {
    Map<String, String> labels = Map.of("app", name);
    V1PodSpec spec = new V1PodSpec().containers(List.of(new V1Container().name("c").image("busybox")));
    spec.setOverhead(null);
    V1ObjectMeta meta = new V1ObjectMeta().name(name).namespace(ns);
    if (owner != null) {
      meta.ownerReferences(List.of(owner));
    }
    return new V1Deployment().metadata(meta).spec(new V1DeploymentSpec().replicas(replicas)
        .selector(new V1LabelSelector().matchLabels(labels))
        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(labels)).spec(spec)));
  }

  @Test
  void deploymentGetsAReplicaSetAndItsPods() throws ApiException {
    kube.apps.createNamespacedDeployment(ns, deployment("web", 2, null)).execute();
    await().atMost(Kube.TIMEOUT).until(() -> kube.apps.listNamespacedReplicaSet(ns).execute().getItems().size() == 1);
    await().atMost(Kube.TIMEOUT).until(() -> kube.pods(ns, "app=web").size() == 2);
  }

  /** The garbage collector the tests of it start (the local control plane runs none otherwise). */
  @Test
  void deletingTheOwnerPodGarbageCollectsTheOwnedDeployment() throws Exception {
    V1Pod owner = kube.createUePod(ns, "owner");
    kube.apps.createNamespacedDeployment(ns, deployment("owned", 0, new V1OwnerReference()
        .apiVersion("v1").kind("Pod").name("owner").uid(owner.getMetadata().getUid()).controller(true))).execute();
    try (AutoCloseable gc = kube.startGarbageCollector()) {
      kube.deletePod(ns, "owner");
      await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> kube.deployment(ns, "owned") == null);
    }
  }

  /** Without one, an owned object outlives its owner: what lets the detach tests prove the controller's delete. */
  @Test
  void withoutTheGarbageCollectorTheOwnedDeploymentStays() throws Exception {
    assumeFalse(kube.cluster().garbageCollects(), "this backend always collects");
    V1Pod owner = kube.createUePod(ns, "owner2");
    kube.apps.createNamespacedDeployment(ns, deployment("owned2", 0, new V1OwnerReference()
        .apiVersion("v1").kind("Pod").name("owner2").uid(owner.getMetadata().getUid()).controller(true))).execute();
    kube.deletePod(ns, "owner2");
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> kube.deployment(ns, "owned2") != null);
  }

  @Test
  void anInvalidObjectNameIsRejectedWith422() {
    ApiException e = assertThrows(ApiException.class, () -> kube.core.createNamespacedConfigMap(ns,
        new V1ConfigMap().metadata(new V1ObjectMeta().name("Not_A.Valid_Name")).data(Map.of("a", "b"))).execute());
    assertEquals(422, e.getCode());
  }

  @Test
  void theUnboundUserIsDeniedWith403UntilBound() throws ApiException {
    CoreV1Api unbound = new CoreV1Api(kube.cluster().unboundClient());
    ApiException e = assertThrows(ApiException.class, () -> unbound.listNamespacedPod(ns).execute());
    assertEquals(403, e.getCode(), "authenticated but not authorised");

    RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(kube.client);
    rbac.createNamespacedRole(ns, new V1Role().metadata(new V1ObjectMeta().name("read-pods"))
        .rules(List.of(new V1PolicyRule().apiGroups(List.of("")).resources(List.of("pods")).verbs(List.of("list"))))).execute();
    rbac.createNamespacedRoleBinding(ns, new V1RoleBinding().metadata(new V1ObjectMeta().name("read-pods"))
        .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("Role").name("read-pods"))
        .subjects(List.of(new RbacV1Subject().kind("User").apiGroup("rbac.authorization.k8s.io")
            .name(kube.cluster().unboundUser())))).execute();
    await().atMost(Kube.TIMEOUT).ignoreExceptions().until(() -> unbound.listNamespacedPod(ns).execute() != null);
  }
}
