package io.nexslice.dynamicslicing.it;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts the cluster the tests run against, chosen by {@code -Dk8s.backend}:
 * <ul>
 *   <li>{@code local} (default): etcd + kube-apiserver + kube-controller-manager on loopback,
 *       through scripts/local-cluster.sh; one per test JVM, in a directory of its own, on free
 *       ports, so two runs on one machine do not collide.
 *   <li>{@code local-kubelet}: the same plus kube-scheduler, containerd and a real kubelet
 *       ({@code local-cluster.sh start --full}; Linux, root): pods run, readiness comes from probes.
 *   <li>{@code k3s}: Testcontainers K3s (needs Docker).
 *   <li>{@code kubeconfig}: the cluster of the current kubeconfig; tests use throw-away namespaces.
 * </ul>
 */
final class ClusterBackends {
  /** Pinned: Testcontainers' K3s has no default image. */
  static final String K3S_IMAGE = "rancher/k3s:v1.31.4-k3s1";
  static final String UNBOUND_USER = "unbound";

  private ClusterBackends() {}

  static TestCluster start() throws Exception {
    String backend = System.getProperty("k8s.backend", "local");
    return switch (backend) {
      case "local" -> local(false);
      case "local-kubelet" -> local(true);
      case "k3s" -> k3s();
      case "kubeconfig" -> currentKubeconfig();
      default -> throw new IllegalStateException(
          "-Dk8s.backend=" + backend + " is not one of local, local-kubelet, k3s, kubeconfig");
    };
  }

  static Path projectRoot() {
    return Path.of(System.getProperty("project.root", ".")).toAbsolutePath();
  }

  /**
   * The local control plane in a new directory; with {@code full}, a whole one-node cluster
   * (scripts/local-cluster.sh start --full) whose {@link TestCluster#stopper()} runs
   * {@code local-cluster.sh stop}.
   */
  static TestCluster local(boolean full) throws Exception {
    Path dir = Files.createTempDirectory(full ? "ds-it-full-" : "ds-it-cluster-");
    Path script = projectRoot().resolve("scripts/local-cluster.sh");
    Path log = dir.resolveSibling(dir.getFileName() + ".start.log");
    List<String> start = new ArrayList<>(List.of("bash", script.toString(), "start", "--dir", dir.toString()));
    if (full) {
      start.add("--full");
    } else {
      // No garbage collector: a detach test then proves the controller's own delete (TestCluster).
      start.add("--no-gc");
    }
    Process p = new ProcessBuilder(start).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      String out = Files.exists(log) ? Files.readString(log) : "";
      new ProcessBuilder("bash", script.toString(), "stop", "--dir", dir.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
      throw new IllegalStateException("""
          The local %s did not start (-Dk8s.backend=%s).
          %s
          To fix: run 'sudo scripts/setup.sh' once (installs etcd-server, golang-go, dpkg-dev and
          builds kube-apiserver 1.20.2 from Debian's source into ~/.cache/dynamic-slicing), or set
          KUBEBUILDER_ASSETS to a directory holding etcd, kube-apiserver and kube-controller-manager,
          or run the tests on another cluster: -Dk8s.backend=kubeconfig (current kubeconfig) or
          -Dk8s.backend=k3s (needs Docker). The full cluster (local-kubelet) also needs Linux, root and
          containerd, runc, containernetworking-plugins and busybox-static (scripts/setup.sh installs them)."""
          .formatted(full ? "cluster with a kubelet" : "control plane", full ? "local-kubelet" : "local", tail(out)));
    }
    Path kubeconfig = dir.resolve("kubeconfig");
    AutoCloseable stop = () -> {
      Process s = new ProcessBuilder("bash", script.toString(), "stop", "--dir", dir.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!s.waitFor(120, TimeUnit.SECONDS) || s.exitValue() != 0) {
        throw new IllegalStateException("scripts/local-cluster.sh stop --dir " + dir + " failed");
      }
      Files.deleteIfExists(log);
    };
    Path unbound = dir.resolve("unbound.kubeconfig");
    return new TestCluster(kubeconfig, client(kubeconfig), () -> uncheckedClient(unbound),
        UNBOUND_USER, true, full, (full ? "local cluster with a kubelet in " : "local control plane in ") + dir, stop,
        Optional.of(dir));
  }

  private static TestCluster k3s() throws Exception {
    var k3s = new org.testcontainers.k3s.K3sContainer(org.testcontainers.utility.DockerImageName.parse(K3S_IMAGE));
    try {
      k3s.start();
    } catch (RuntimeException e) {
      throw new IllegalStateException("-Dk8s.backend=k3s needs a working Docker engine (Testcontainers could not"
          + " start " + K3S_IMAGE + "): " + e.getMessage() + ". Without Docker use -Dk8s.backend=local.", e);
    }
    Path kubeconfig = Files.createTempFile("ds-it-k3s-", ".kubeconfig");
    Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
    ApiClient admin = client(kubeconfig);
    return new TestCluster(kubeconfig, admin, () -> impersonating(kubeconfig, UNBOUND_USER), UNBOUND_USER, true, true,
        "k3s " + K3S_IMAGE, k3s::stop, Optional.empty());
  }

  private static TestCluster currentKubeconfig() throws Exception {
    String env = System.getenv("KUBECONFIG");
    Path kubeconfig = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".kube/config");
    if (!Files.isReadable(kubeconfig)) {
      throw new IllegalStateException("-Dk8s.backend=kubeconfig: no kubeconfig at " + kubeconfig + "; set KUBECONFIG");
    }
    return new TestCluster(kubeconfig, client(kubeconfig), () -> impersonating(kubeconfig, UNBOUND_USER), UNBOUND_USER,
        true, true, "current kubeconfig " + kubeconfig, () -> {}, Optional.empty());
  }

  static ApiClient client(Path kubeconfig) throws IOException {
    try (Reader r = Files.newBufferedReader(kubeconfig, StandardCharsets.UTF_8)) {
      KubeConfig kc = KubeConfig.loadKubeConfig(r);
      kc.setFile(kubeconfig.toFile());
      ApiClient c = ClientBuilder.kubeconfig(kc).build();
      c.setHttpClient(c.getHttpClient().newBuilder().readTimeout(60, TimeUnit.SECONDS).build());
      return c;
    }
  }

  private static ApiClient uncheckedClient(Path kubeconfig) {
    try {
      return client(kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The kubectl the tests use: the one built with the control plane (same version as the
   * server), else the one on PATH.
   */
  static String kubectl() {
    try {
      Process p = new ProcessBuilder("bash", projectRoot().resolve("scripts/build-control-plane.sh").toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String dir = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor() == 0 && Files.isExecutable(Path.of(dir, "kubectl"))) {
        return Path.of(dir, "kubectl").toString();
      }
    } catch (IOException | InterruptedException e) {
      // fall through to PATH
    }
    return "kubectl";
  }

  /** Where there is no second token, an admin client that impersonates the unbound user. */
  private static ApiClient impersonating(Path kubeconfig, String user) {
    ApiClient c = uncheckedClient(kubeconfig);
    c.setHttpClient(c.getHttpClient().newBuilder()
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("Impersonate-User", user).build()))
        .build());
    return c;
  }

  private static String tail(String s) {
    String[] lines = new StringReader(s).toString().isEmpty() ? new String[0] : s.split("\n");
    int from = Math.max(0, lines.length - 15);
    return String.join("\n", Arrays.copyOfRange(lines, from, lines.length));
  }
}
