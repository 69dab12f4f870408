package io.nexslice.dynamicslicing.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** What the full-cluster benchmarks' main methods share: `--name value` arguments, and the exit. */
final class BenchLauncher {
  interface Body {
    void run(Map<String, String> args) throws Exception;
  }

  private BenchLauncher() {}

  /**
   * Runs {@code body} with the arguments as a map (names without their "--"), then exits: informers
   * run on non-daemon threads, so without an exit a failed run would leave the JVM (and its retries
   * against a stopped cluster) behind. Exit status 1 on any failure.
   */
  static void runAndExit(String[] args, Body body) {
    try {
      Map<String, String> a = new LinkedHashMap<>();
      for (int i = 0; i + 1 < args.length; i += 2) {
        a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
      }
      body.run(a);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }
}
