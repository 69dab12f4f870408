package io.nexslice.dynamicslicing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** CPU time (user + system) of processes, from /proc: who did the work during a scenario. */
final class CpuClock {
  /** Linux's USER_HZ, the unit of /proc/<pid>/stat times, is 100 on every mainstream kernel. */
  private static final double TICKS_PER_SECOND = 100.0;
  private final List<Long> pids;

  CpuClock(List<Long> pids) {
    this.pids = pids;
  }

  /** The API server and etcd of a local cluster, from the pid files scripts/local-cluster.sh writes. */
  static CpuClock controlPlane(Path clusterDir) throws IOException {
    return new CpuClock(List.of(pid(clusterDir.resolve("pids/kube-apiserver")), pid(clusterDir.resolve("pids/etcd"))));
  }

  private static long pid(Path file) throws IOException {
    return Long.parseLong(Files.readString(file).trim());
  }

  /** CPU seconds used so far by all the processes; NaN when one cannot be read (not Linux, gone). */
  double seconds() {
    double total = 0;
    for (long pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
      } catch (IOException | RuntimeException e) {
        return Double.NaN;
      }
    }
    return total;
  }
}
