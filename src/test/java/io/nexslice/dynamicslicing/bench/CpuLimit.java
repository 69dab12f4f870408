package io.nexslice.dynamicslicing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A CPU limit like the Deployment's (`resources.limits.cpu`), for a benchmark's controller
 * process: a CFS quota in a cgroup of its own, cgroup v2 (`cpu.max`) or v1 (`cpu.cfs_quota_us`).
 * The process starts inside it, so the JVM sizes itself for the limit as it would in a pod.
 * Needs root and a writable cgroup file system; {@link #create} says why not otherwise.
 */
final class CpuLimit implements AutoCloseable {
  private static final long PERIOD_US = 100_000;
  private final Path group;

  private CpuLimit(Path group) {
    this.group = group;
  }

  /** A new cgroup limited to {@code cpus} CPUs, or empty (with the reason on stderr) where none can be made. */
  static Optional<CpuLimit> create(double cpus) {
    long quota = Math.round(cpus * PERIOD_US);
    String name = "ds-bench-" + UUID.randomUUID().toString().substring(0, 8);
    try {
      Path v2 = Path.of("/sys/fs/cgroup");
      if (Files.exists(v2.resolve("cgroup.controllers"))) {
        Path g = Files.createDirectory(v2.resolve(name));
        Files.writeString(g.resolve("cpu.max"), quota + " " + PERIOD_US);
        return Optional.of(new CpuLimit(g));
      }
      Path v1 = Path.of("/sys/fs/cgroup/cpu");
      if (Files.isDirectory(v1)) {
        Path g = Files.createDirectory(v1.resolve(name));
        Files.writeString(g.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
        Files.writeString(g.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        return Optional.of(new CpuLimit(g));
      }
      System.err.println("bench: no cgroup cpu controller found: the controller runs without a CPU limit");
    } catch (IOException | RuntimeException e) {
      System.err.println("bench: cannot make a cgroup for the CPU limit (" + e + "): the controller runs without one");
    }
    return Optional.empty();
  }

  /** {@code command}, started inside this cgroup: a shell moves itself in, then becomes the command. */
  List<String> wrap(List<String> command) {
    List<String> out = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"",
        group.resolve("cgroup.procs").toString()));
    out.addAll(command);
    return out;
  }

  /** Removes the cgroup; call once the process in it has exited. */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(group);
    } catch (IOException e) {
      System.err.println("bench: cgroup " + group + " left behind: " + e.getMessage());
    }
  }
}
