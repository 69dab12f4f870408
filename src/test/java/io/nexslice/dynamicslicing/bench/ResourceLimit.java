package io.nexslice.dynamicslicing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The Deployment's limits (`resources.limits.cpu` and `.memory`) for a benchmark's controller
 * process: a CFS quota and a memory limit in cgroups of its own, v2 (`cpu.max`, `memory.max`, one
 * group) or v1 (`cpu.cfs_quota_us` and `memory.limit_in_bytes`, one group per hierarchy). The
 * process starts inside them, so the JVM sizes itself for the limits as it would in a pod, and is
 * killed as a container would be if it used more memory. Needs root and a writable cgroup file
 * system; {@link #create} says why not otherwise.
 */
final class ResourceLimit implements AutoCloseable {
  private static final long PERIOD_US = 100_000;
  private final List<Path> groups;

  private ResourceLimit(List<Path> groups) {
    this.groups = groups;
  }

  /**
   * New cgroups limited to {@code cpus} CPUs (0: no CPU limit) and {@code memoryBytes} (0: no
   * memory limit), or empty (with the reason on stderr) where none can be made.
   */
  static Optional<ResourceLimit> create(double cpus, long memoryBytes) {
    long quota = Math.round(cpus * PERIOD_US);
    String name = "ds-bench-" + UUID.randomUUID().toString().substring(0, 8);
    List<Path> made = new ArrayList<>();
    try {
      Path v2 = Path.of("/sys/fs/cgroup");
      if (Files.exists(v2.resolve("cgroup.controllers"))) {
        Path g = Files.createDirectory(v2.resolve(name));
        made.add(g);
        if (cpus > 0) {
          Files.writeString(g.resolve("cpu.max"), quota + " " + PERIOD_US);
        }
        if (memoryBytes > 0) {
          Files.writeString(g.resolve("memory.max"), Long.toString(memoryBytes));
        }
        return Optional.of(new ResourceLimit(made));
      }
      if (cpus > 0) {
        Path g = Files.createDirectory(Path.of("/sys/fs/cgroup/cpu").resolve(name));
        made.add(g);
        Files.writeString(g.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
        Files.writeString(g.resolve("cpu.cfs_quota_us"), Long.toString(quota));
      }
      if (memoryBytes > 0) {
        Path g = Files.createDirectory(Path.of("/sys/fs/cgroup/memory").resolve(name));
        made.add(g);
        Files.writeString(g.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
      }
      return Optional.of(new ResourceLimit(made));
    } catch (IOException | RuntimeException e) {
      System.err.println("bench: cannot make cgroups for the CPU and memory limits (" + e + "): the controller runs without them");
      new ResourceLimit(made).close();
    }
    return Optional.empty();
  }

  /** {@code command}, started inside these cgroups: a shell moves itself in, then becomes the command. */
  List<String> wrap(List<String> command) {
    StringBuilder script = new StringBuilder();
    List<String> out = new ArrayList<>(List.of("sh", "-c"));
    for (int i = 0; i < groups.size(); i++) {
      script.append("echo $$ > \"$").append(i + 1).append("\" && ");
    }
    script.append("shift ").append(groups.size()).append(" && exec \"$@\"");
    out.add(script.toString());
    out.add("limit"); // $0
    groups.forEach(g -> out.add(g.resolve("cgroup.procs").toString()));
    out.addAll(command);
    return out;
  }

  /** Removes the cgroups; call once the process in them has exited. */
  @Override
  public void close() {
    for (Path g : groups) {
      try {
        Files.deleteIfExists(g);
      } catch (IOException e) {
        System.err.println("bench: cgroup " + g + " left behind: " + e.getMessage());
      }
    }
  }
}
