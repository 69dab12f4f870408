package io.nexslice.dynamicslicing.election;

import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import java.net.HttpURLConnection;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches this replica's own pod and calls {@code onDeletion} once, as soon as the pod is being
 * deleted: its deletionTimestamp is set, or it is gone.
 *
 * <p>Why: on {@code kubectl delete pod} or a rollout, the kubelet delivers SIGTERM to the
 * container 470-600 ms after the API server marked the pod (measured, docs/BENCHMARKS.md, P6),
 * about half of the whole hand-over. A pod being deleted never comes back, so the leader can step
 * down at the watch event instead, and the standby takes over while the kubelet is still on its
 * way. SIGTERM stays the backstop (run on a host, or without the right to watch pods).
 *
 * <p>One watch of one pod (a field selector on its name). Without the right to list and watch
 * pods in its namespace, it logs one warning and stops: the replica then steps down at SIGTERM,
 * as before.
 */
public final class OwnPodDeletion {
  private static final Logger log = LoggerFactory.getLogger(OwnPodDeletion.class);

  private final String namespace;
  private final String name;
  private final SharedInformerFactory factory;
  private final AtomicBoolean fired = new AtomicBoolean();
  private final AtomicBoolean refused = new AtomicBoolean();

  /**
   * @param watchClient a client without read timeout, for the watch
   * @param onDeletion called once, on an informer thread, when the pod is being deleted
   */
  public OwnPodDeletion(String namespace, String name, ApiClient watchClient, Runnable onDeletion) {
    this.namespace = namespace;
    this.name = name;
    this.factory = new SharedInformerFactory(watchClient);
    CoreV1Api api = new CoreV1Api(watchClient);
    factory.sharedIndexInformerFor(params -> api.listNamespacedPod(namespace)
            .fieldSelector("metadata.name=" + name).resourceVersion(params.resourceVersion)
            .watch(params.watch).timeoutSeconds(params.timeoutSeconds).buildCall(null),
        V1Pod.class, V1PodList.class, 0, (type, error) -> onWatchError(error))
        .addEventHandler(new ResourceEventHandler<>() {
          @Override
          public void onAdd(V1Pod pod) {
            check(pod);
          }

          @Override
          public void onUpdate(V1Pod old, V1Pod pod) {
            check(pod);
          }

          @Override
          public void onDelete(V1Pod pod, boolean unknownFinalState) {
            // Gone (a forced delete removes it at once): this process is being killed.
            fire(onDeletion, "deleted");
          }

          private void check(V1Pod pod) {
            if (isBeingDeleted(pod)) {
              fire(onDeletion, "being deleted since " + pod.getMetadata().getDeletionTimestamp());
            }
          }
        });
  }

  public void start() {
    factory.startAllRegisteredInformers();
  }

  public void stop() {
    factory.stopAllRegisteredInformers();
  }

  /** True once the API server has marked the pod for deletion: nothing can undo that. */
  static boolean isBeingDeleted(V1Pod pod) {
    return pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null;
  }

  private void fire(Runnable onDeletion, String why) {
    if (fired.compareAndSet(false, true)) {
      log.info("Own pod {}/{} {}: stepping down now rather than at SIGTERM", namespace, name, why);
      onDeletion.run();
    }
  }

  private void onWatchError(Throwable error) {
    if (error instanceof ApiException e && (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN
        || e.getCode() == HttpURLConnection.HTTP_UNAUTHORIZED)) {
      if (refused.compareAndSet(false, true)) {
        log.warn("Cannot watch own pod {}/{} (HTTP {}): this replica steps down at SIGTERM only, about 0.5 s later on a"
            + " delete; grant pods list/watch in {} to hand over sooner", namespace, name, e.getCode(), namespace);
        // Not from the reflector's own thread: stopping joins it.
        Thread stopper = new Thread(this::stop, "own-pod-watch-stop");
        stopper.setDaemon(true);
        stopper.start();
      }
      return;
    }
    log.debug("Watch of own pod {}/{} failed, retried: {}", namespace, name, error.toString());
  }
}
