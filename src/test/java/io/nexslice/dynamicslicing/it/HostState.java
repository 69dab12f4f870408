package io.nexslice.dynamicslicing.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * What the full local cluster must leave as it found it, read off the host: the sysctls the
 * kubelet and the CNI bridge would set, iptables, links, the paths a kubelet writes by default,
 * the /k8s.io cgroup parents; and, for one cluster directory, its processes, mounts and cgroups.
 */
record HostState(Map<String, String> sysctls, List<String> iptables, List<String> links,
    Map<String, Boolean> hostPaths, List<String> cgroupParents) {

  static final List<String> SYSCTLS = List.of("vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic",
      "kernel/panic_on_oops", "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes", "net/ipv4/ip_forward",
      "net/ipv4/conf/all/forwarding", "net/bridge/bridge-nf-call-iptables");
  static final List<String> HOST_PATHS = List.of("/var/lib/kubelet", "/var/log/pods", "/var/log/containers",
      "/run/containerd", "/var/lib/cni", "/run/netns");

  /** Skips (or, under CI=true, fails) where the full local cluster cannot run. */
  static void requireFullClusterPossible() throws IOException {
    String why = null;
    if (!"Linux".equals(System.getProperty("os.name"))) {
      why = "it needs Linux (containerd, runc, namespaces)";
    } else if (!Files.readAllLines(Path.of("/proc/self/status")).stream()
        .anyMatch(l -> l.matches("Uid:\\s+0\\s.*"))) {
      why = "it needs root (mount namespace, cgroups, a bridge); run the tests as root, e.g. sudo mvn -B verify";
    }
    if (why == null) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail("CI=true, and the end-to-end tests on the full local cluster cannot run here: " + why);
    }
    Assumptions.abort("End-to-end tests on the full local cluster skipped: " + why);
  }

  static HostState read() throws Exception {
    Map<String, String> sysctls = new TreeMap<>();
    for (String s : SYSCTLS) {
      Path p = Path.of("/proc/sys", s);
      sysctls.put(s, Files.exists(p) ? Files.readString(p).trim() : "(absent)");
    }
    Map<String, Boolean> paths = new TreeMap<>();
    HOST_PATHS.forEach(p -> paths.put(p, Files.exists(Path.of(p))));
    List<String> parents = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("/sys/fs/cgroup"))) {
      s.map(h -> h.resolve("k8s.io")).filter(Files::isDirectory).map(Path::toString).sorted().forEach(parents::add);
    }
    return new HostState(sysctls, command("iptables-save"), command("ip", "-o", "link", "show"), paths, parents);
  }

  /** Bridges and veths that were not there before: what a pod network leaves behind. */
  List<String> newLinks(HostState before) {
    List<String> names = before.links.stream().map(HostState::linkName).toList();
    return links.stream().map(HostState::linkName)
        .filter(n -> !names.contains(n) && (n.startsWith("veth") || n.startsWith("dsbr-") || n.startsWith("cni")))
        .toList();
  }

  private static String linkName(String line) {
    String[] f = line.split(":\\s+", 3);
    return f.length > 1 ? f[1].replaceFirst("@.*", "") : line;
  }

  static List<String> processesNaming(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          if (cmd.contains(dir.toString()) && ProcessHandle.current().pid() != Long.parseLong(p.getFileName().toString())) {
            out.add(p.getFileName() + ": " + cmd);
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return out;
  }

  /** Mounts naming {@code dir}, in every mount namespace of every process. */
  static List<String> mountsNaming(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          Files.readAllLines(p.resolve("mountinfo")).stream().filter(l -> l.contains(dir.toString()))
              .forEach(l -> out.add(p.getFileName() + ": " + l));
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return out;
  }

  private static List<String> command(String... cmd) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException notInstalled) {
      return List.of("(" + cmd[0] + " not installed)");
    }
    List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
        .filter(l -> !l.startsWith("#")).toList();
    p.waitFor();
    return lines;
  }

  /** One full cluster's node: the containers it ran, read before stop. */
  record Node(List<String> containerIds) {
    static Node of(Path dir) throws IOException {
      Path runc = dir.resolve("node/runc/k8s.io");
      if (!Files.isDirectory(runc)) {
        return new Node(List.of());
      }
      try (Stream<Path> s = Files.list(runc)) {
        return new Node(s.map(p -> p.getFileName().toString()).sorted().toList());
      }
    }

    List<String> cgroupsLeft() throws IOException {
      List<String> out = new ArrayList<>();
      try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
        for (Path h : hierarchies.toList()) {
          for (String id : containerIds) {
            if (Files.exists(h.resolve("k8s.io").resolve(id))) {
              out.add(h.resolve("k8s.io").resolve(id).toString());
            }
          }
        }
      }
      return out;
    }
  }
}
