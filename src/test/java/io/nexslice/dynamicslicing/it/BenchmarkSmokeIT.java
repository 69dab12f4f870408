package io.nexslice.dynamicslicing.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexslice.dynamicslicing.bench.BenchMain;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keeps scripts/bench.sh working: the benchmark at its smoke scale must run every scenario and
 * print a number for each. It asserts no timing: numbers come from scripts/bench.sh on a quiet
 * machine (docs/BENCHMARKS.md), not from a shared CI run.
 */
@ExtendWith(ClusterExtension.class)
class BenchmarkSmokeIT {

  @Test
  void theBenchmarkRunsEveryScenarioAndPrintsNumbers(TestCluster cluster) throws Exception {
    BenchMain bench = new BenchMain(cluster.kubeconfig(), MainProcessIT.JAR, BenchMain.SMOKE, List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=75"));
    try {
      String table = bench.runAll();
      System.out.println(table);
      for (String id : List.of("P1", "P2", "P3", "P4", "P5")) {
        assertTrue(table.contains("| " + id + " "), id + " missing:\n" + table);
      }
      assertFalse(table.contains("NaN"), table);
      assertEquals(11, table.lines().filter(l -> l.startsWith("| P")).count(), table);
    } finally {
      bench.deleteNamespaces();
    }
  }
}
