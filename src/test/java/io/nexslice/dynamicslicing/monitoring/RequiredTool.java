package io.nexslice.dynamicslicing.monitoring;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * A program a test runs that Java cannot bring (promtool, prometheus: Debian package
 * {@code prometheus}, installed by scripts/setup.sh). Missing, the test is skipped with the reason,
 * except under CI=true, where a skipped check would pass unseen: there it fails.
 */
public final class RequiredTool {
  private RequiredTool() {}

  /** The executable {@code name} on PATH; skips the test (fails it under CI=true) when there is none. */
  public static Path find(String name) {
    Optional<Path> found = onPath(name, System.getenv("PATH"));
    if (found.isPresent()) {
      return found.get();
    }
    String why = name + " is not on PATH; install Debian's prometheus package (scripts/setup.sh does)";
    if ("true".equals(System.getenv("CI"))) {
      fail("CI=true, and " + why);
    }
    return Assumptions.abort(why);
  }

  static Optional<Path> onPath(String name, String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
