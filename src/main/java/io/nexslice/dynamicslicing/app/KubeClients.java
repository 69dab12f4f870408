package io.nexslice.dynamicslicing.app;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.nexslice.dynamicslicing.status.ApiRequestCounter;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Finds the cluster the way Kubernetes tools do: the in-cluster service account first, then
 * $KUBECONFIG, then ~/.kube/config. Unlike client-java's default, it never falls back silently to
 * localhost:8080; it says what it looked for.
 */
public final class KubeClients {
  private static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private KubeClients() {}

  /** A client for requests (30 s timeouts). */
  public static ApiClient forRequests(Map<String, String> env) throws IOException {
    ApiClient client = base(env);
    client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(ApiRequestCounter.INSTANCE)
        .readTimeout(30, TimeUnit.SECONDS).connectTimeout(10, TimeUnit.SECONDS).build());
    return client;
  }

  /** A client for watches: no read timeout, the server ends each watch after its timeoutSeconds. */
  public static ApiClient forWatches(Map<String, String> env) throws IOException {
    ApiClient client = base(env);
    client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(ApiRequestCounter.INSTANCE)
        .readTimeout(0, TimeUnit.SECONDS).connectTimeout(10, TimeUnit.SECONDS).build());
    return client;
  }

  /** Where the client comes from, for the start-up log line. */
  public static String describe(Map<String, String> env) {
    if (inCluster(env)) {
      return "in-cluster service account";
    }
    String kc = env.get("KUBECONFIG");
    return kc != null && !kc.isBlank() ? "KUBECONFIG=" + kc : "~/.kube/config";
  }

  private static boolean inCluster(Map<String, String> env) {
    return env.get("KUBERNETES_SERVICE_HOST") != null && Files.isReadable(SERVICE_ACCOUNT_TOKEN);
  }

  private static ApiClient base(Map<String, String> env) throws IOException {
    if (inCluster(env)) {
      return ClientBuilder.cluster().build();
    }
    String kc = env.get("KUBECONFIG");
    Path path = kc != null && !kc.isBlank()
        ? Path.of(kc.split(File.pathSeparator)[0])
        : Path.of(System.getProperty("user.home"), ".kube", "config");
    if (!Files.isReadable(path)) {
      throw new IOException("no cluster to talk to: not in a pod, and no kubeconfig at " + path
          + " (set KUBECONFIG, or start the local control plane: scripts/local-cluster.sh start)");
    }
    try (Reader r = Files.newBufferedReader(path)) {
      KubeConfig config = KubeConfig.loadKubeConfig(r);
      config.setFile(path.toFile());
      return ClientBuilder.kubeconfig(config).build();
    }
  }
}
