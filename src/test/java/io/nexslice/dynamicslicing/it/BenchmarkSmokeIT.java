package io.nexslice.dynamicslicing.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexslice.dynamicslicing.bench.BenchMain;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keeps scripts/bench.sh working: the benchmark at its smoke scale must run every scenario (on the
 * test cluster, with kube-controller-manager; P5 also through scripts/run.sh) and print a number
 * for each, and the invariants that hold at any scale must hold here too: per
 * attach exactly one apply of each of the three objects and one event, no GET, and no write at
 * all after a restart with everything converged. It asserts no timing: numbers come from
 * scripts/bench.sh on a quiet machine (docs/BENCHMARKS.md), not from a shared CI run.
 */
@ExtendWith(ClusterExtension.class)
class BenchmarkSmokeIT {

  @Test
  void theBenchmarkRunsEveryScenarioAndPrintsNumbers(TestCluster cluster) throws Exception {
    BenchMain bench = new BenchMain(cluster.kubeconfig(), MainProcessIT.JAR, BenchMain.SMOKE, List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=75"));
    try {
      String table = bench.runAll();
      System.out.println(table);
      assertTrue(bench.failed().isEmpty(), "scenarios failed: " + bench.failed() + "\n" + table);
      for (String id : List.of("P1", "P2", "P3", "P4", "P5")) {
        assertTrue(table.contains("| " + id + " "), id + " missing:\n" + table);
      }
      assertFalse(table.contains("NaN"), table);
      List<String[]> rows = table.lines().filter(l -> l.startsWith("| P"))
          .map(l -> Arrays.stream(l.split("\\|", -1)).map(String::trim).toArray(String[]::new)).toList();
      assertEquals(17, rows.size(), table);
      // Columns: "", id, measured, controller, floor: sequential, floor: same watch, vs floors, goal, met, "".
      for (String[] row : rows) {
        if (!row[7].isEmpty()) {
          assertTrue(row[8].equals("yes") || row[8].equals("NO"), "a goal without its verdict: " + String.join(" | ", row));
        }
      }
      // Every attach of P1 and P2 was split into phases by the controller (no NaN above means some were).
      assertEquals(2, rows.stream().filter(r -> r[2].startsWith("where the controller's attach")).count(), table);
      List<String[]> p4 = rows.stream().filter(r -> r[1].equals("P4")).toList();
      assertEquals(2, p4.size(), table);
      assertTrue(p4.get(0)[2].contains("APPLY configmaps 1.00, APPLY deployments 1.00, APPLY services 1.00, POST events 1.00"),
          "one apply of each object and one event per attach: " + p4.get(0)[2]);
      assertTrue(p4.get(0)[3].endsWith(", 0 GETs") && p4.get(0)[8].equals("yes"), "no GET: " + String.join(" | ", p4.get(0)));
      assertTrue(p4.get(1)[3].startsWith("0 writes, 0 GETs") && p4.get(1)[8].equals("yes"),
          "nothing written after a restart: " + String.join(" | ", p4.get(1)));
    } finally {
      bench.deleteNamespaces();
    }
  }
}
