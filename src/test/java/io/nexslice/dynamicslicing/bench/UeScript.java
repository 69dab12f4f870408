package io.nexslice.dynamicslicing.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * UEs the way users make them, for the benchmarks on the full local cluster: {@code scripts/ue.sh}
 * and kubectl run as processes, with the cluster's kubeconfig.
 */
final class UeScript {
  private final Path projectRoot;
  private final Map<String, String> env;
  private final String namespace;

  /** @param env KUBECONFIG (required) and KUBECTL (default: kubectl on PATH) */
  UeScript(Path projectRoot, Map<String, String> env, String namespace) {
    this.projectRoot = projectRoot;
    this.env = env;
    this.namespace = namespace;
  }

  /** {@code scripts/ue.sh add --image <image>}: one UE (a ConfigMap and a Pod); its pod's name. */
  String add(String image) throws IOException, InterruptedException {
    String out = sh(List.of("bash", projectRoot.resolve("scripts/ue.sh").toString(), "add", "--image", image,
        "--namespace", namespace));
    return out.lines().filter(l -> l.startsWith("created ")).findFirst()
        .orElseThrow(() -> new IllegalStateException("ue.sh add said:\n" + out))
        .replaceFirst("^created [^/]*/(\\S+).*", "$1");
  }

  /** {@code scripts/ue.sh remove <pod>}: deletes the pod and its ConfigMap without waiting. */
  void remove(String pod) throws IOException, InterruptedException {
    sh(List.of("bash", projectRoot.resolve("scripts/ue.sh").toString(), "remove", pod, "--namespace", namespace));
  }

  /** {@code scripts/ue.sh optout <pod>}: removes the pod's opt-in label, so the controller no longer selects it. */
  void optOut(String pod) throws IOException, InterruptedException {
    sh(List.of("bash", projectRoot.resolve("scripts/ue.sh").toString(), "optout", pod, "--namespace", namespace));
  }

  /**
   * Runs a command (a leading "kubectl" is the configured kubectl with the kubeconfig) and returns
   * its output; an IllegalStateException with that output when it fails or runs over 2 minutes.
   */
  String sh(List<String> cmd) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(cmd);
    if (full.get(0).equals("kubectl")) {
      full.set(0, env.getOrDefault("KUBECTL", "kubectl"));
      full.addAll(1, List.of("--kubeconfig", env.get("KUBECONFIG")));
    }
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("UE_NAMESPACE", namespace);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", full) + " failed:\n" + out);
    }
    return out;
  }
}
