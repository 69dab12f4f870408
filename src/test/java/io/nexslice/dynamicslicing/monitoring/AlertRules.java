package io.nexslice.dynamicslicing.monitoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** The shipped alert rules (manifests/monitoring), read as tests need them. */
public final class AlertRules {
  private AlertRules() {}

  public static Path monitoringDir() {
    return Path.of(System.getProperty("project.root", ".")).toAbsolutePath().resolve("manifests/monitoring");
  }

  /** The plain rules file, the one source of the rules. */
  public static Path plainFile() {
    return monitoringDir().resolve("alerts.rules.yaml");
  }

  public static Map<String, Object> load(Path file) throws IOException {
    return new Yaml().load(Files.readString(file));
  }

  /** Every rule of every group of a rules document ({@code groups:} at the top). */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> rules(Map<String, Object> doc) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
      out.addAll((List<Map<String, Object>>) group.get("rules"));
    }
    return out;
  }
}
