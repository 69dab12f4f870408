package io.nexslice.dynamicslicing.profile;

import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Renders configuration maps as block-style YAML: values are data, never spliced text. */
final class YamlText {
  private YamlText() {}

  /**
   * An insertion-ordered map from key/value pairs. Config maps must never come from Map.of,
   * whose order changes from one JVM to the next: the rendered text, and so the checksum that
   * restarts UPF pods, must be identical after a controller restart.
   */
  static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  static String dump(Object data) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setIndent(2);
    o.setPrettyFlow(true);
    o.setWidth(200);
    // No anchors even where a value repeats: configs are read by C++ and Go parsers, keep them plain.
    o.setDereferenceAliases(true);
    return new Yaml(o).dump(data);
  }
}
