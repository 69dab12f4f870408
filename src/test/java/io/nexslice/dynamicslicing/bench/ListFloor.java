package io.nexslice.dynamicslicing.bench;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.Call;
import okhttp3.Response;

/**
 * P5's floor, run as a process of its own with the controller's JVM options: start a JVM with
 * client-java, make the four LIST requests the controller's informers make (selected pods,
 * Deployments, Services, ConfigMaps, at resourceVersion 0, in parallel) and read every byte of
 * the answers, then exit. No decoding, no cache: what start-up costs before any controller work.
 *
 * <pre>java ... ListFloor KUBECONFIG NAMESPACE SELECTOR</pre>
 */
public final class ListFloor {
  private ListFloor() {}

  public static void main(String[] args) throws Exception {
    ApiClient client = BenchMain.client(Path.of(args[0]), 120);
    String ns = args[1];
    CoreV1Api core = new CoreV1Api(client);
    AppsV1Api apps = new AppsV1Api(client);
    List<Call> calls = List.of(
        core.listNamespacedPod(ns).labelSelector(args[2]).resourceVersion("0").buildCall(null),
        apps.listNamespacedDeployment(ns).resourceVersion("0").buildCall(null),
        core.listNamespacedService(ns).resourceVersion("0").buildCall(null),
        core.listNamespacedConfigMap(ns).resourceVersion("0").buildCall(null));
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    long bytes = 0;
    for (Future<Long> f : pool.invokeAll(calls.stream().map(c -> (Callable<Long>) () -> {
      try (Response r = c.execute()) {
        if (!r.isSuccessful()) {
          throw new IllegalStateException("LIST failed: " + r.code());
        }
        return r.body().source().readAll(okio.Okio.blackhole());
      }
    }).toList())) {
      bytes += f.get();
    }
    System.out.println("listed " + bytes + " bytes");
    System.exit(0);
  }
}
