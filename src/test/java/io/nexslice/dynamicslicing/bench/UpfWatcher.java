package io.nexslice.dynamicslicing.bench;

import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.common.KubernetesObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A separate watcher, as a user's kubectl -w would be: records when each UPF's Deployment and
 * Service were first seen. Watches all namespaces by label, with list/watch only (no GETs, so the
 * API economy numbers are the controller's own).
 */
final class UpfWatcher implements AutoCloseable {
  private final SharedInformerFactory factory;
  private final Map<String, Long> deploymentSeen = new ConcurrentHashMap<>();
  private final Map<String, Long> serviceSeen = new ConcurrentHashMap<>();
  private final EventSignal changed = new EventSignal();

  UpfWatcher(ApiClient watchClient) {
    factory = new SharedInformerFactory(watchClient);
    AppsV1Api apps = new AppsV1Api(watchClient);
    CoreV1Api core = new CoreV1Api(watchClient);
    String selector = "app.kubernetes.io/managed-by=dynamic-slicing";
    SharedIndexInformer<V1Deployment> d = factory.sharedIndexInformerFor((CallGeneratorParams p) ->
        apps.listDeploymentForAllNamespaces().labelSelector(selector).resourceVersion(p.resourceVersion)
            .watch(p.watch).timeoutSeconds(p.timeoutSeconds).buildCall(null), V1Deployment.class, V1DeploymentList.class);
    SharedIndexInformer<V1Service> s = factory.sharedIndexInformerFor((CallGeneratorParams p) ->
        core.listServiceForAllNamespaces().labelSelector(selector).resourceVersion(p.resourceVersion)
            .watch(p.watch).timeoutSeconds(p.timeoutSeconds).buildCall(null), V1Service.class, V1ServiceList.class);
    d.addEventHandler(recorder(deploymentSeen));
    s.addEventHandler(recorder(serviceSeen));
    factory.startAllRegisteredInformers();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!(d.hasSynced() && s.hasSynced()) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  private <T extends KubernetesObject> ResourceEventHandler<T> recorder(Map<String, Long> seen) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        seen.putIfAbsent(key(obj), System.nanoTime());
        changed.signal();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        onAdd(newObj);
      }

      @Override
      public void onDelete(T obj, boolean unknown) {
        seen.remove(key(obj));
      }
    };
  }

  private static String key(KubernetesObject o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  /** When both objects of the UPF {@code ns/name} were seen (nanoTime), waiting up to {@code timeout}. */
  long awaitBoth(String ns, String name, Duration timeout) throws InterruptedException {
    String key = ns + "/" + name;
    return changed.await("UPF " + key + " to appear", () -> {
      Long d = deploymentSeen.get(key);
      Long s = serviceSeen.get(key);
      return d != null && s != null ? Math.max(d, s) : null;
    }, timeout);
  }

  @Override
  public void close() {
    factory.stopAllRegisteredInformers();
  }
}
