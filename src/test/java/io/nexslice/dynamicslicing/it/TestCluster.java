package io.nexslice.dynamicslicing.it;

import io.kubernetes.client.openapi.ApiClient;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A real Kubernetes API server for integration tests, whichever backend provides it.
 *
 * @param kubeconfig admin kubeconfig file (for the controller under test and for kubectl)
 * @param client admin client for the tests themselves
 * @param unboundClients makes clients for a user that no RBAC rule names: tests bind it to what they test
 * @param unboundUser that user's name
 * @param hasControllerManager whether kube-controller-manager runs (ReplicaSets, service account tokens)
 * @param garbageCollects whether its garbage collector runs: on the local control plane it does
 *     not, so that a UPF that goes was deleted by the controller, not by the garbage collector
 *     following the UE pod's deletion (Kube.startGarbageCollector adds one for the tests of it)
 * @param description for messages
 * @param localDir the local control plane's directory (fault injection), empty for other backends
 */
public record TestCluster(
    Path kubeconfig,
    ApiClient client,
    Supplier<ApiClient> unboundClients,
    String unboundUser,
    boolean hasControllerManager,
    boolean garbageCollects,
    String description,
    AutoCloseable stopper,
    Optional<Path> localDir) {

  /** A new client for the unbound user. */
  public ApiClient unboundClient() {
    return unboundClients.get();
  }
}
