package io.nexslice.dynamicslicing.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads typed values from environment variables, with messages that name the variable. */
final class EnvReader {
  private final Map<String, String> env;

  EnvReader(Map<String, String> env) {
    this.env = env;
  }

  /** The trimmed value, or the default when unset or blank. */
  String string(String name, String defaultValue) {
    String v = env.get(name);
    return v == null || v.isBlank() ? defaultValue : v.trim();
  }

  /** An optional value: null when unset or blank. */
  String optional(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  int integer(String name, int defaultValue, int min, int max) {
    String v = optional(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(name + ": '" + v + "' is not a whole number from " + min + " to " + max);
    }
  }

  /**
   * A "key=value,key=value" list (blank entries skipped), in order; throws ConfigException naming
   * {@code name} for an entry without '=' or a key given twice, and when the list is empty.
   *
   * @param example a valid list, quoted in the messages
   */
  static List<Map.Entry<String, String>> pairs(String name, String list, String example) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (String part : list.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(name + ": '" + entry + "' is not key=value (e.g. " + example + ")");
      }
      String key = entry.substring(0, eq).trim();
      if (!keys.add(key)) {
        throw new ConfigException(name + ": " + key + " is listed twice");
      }
      out.add(Map.entry(key, entry.substring(eq + 1).trim()));
    }
    if (out.isEmpty()) {
      throw new ConfigException(name + ": empty; give pairs such as " + example + ", or leave it unset");
    }
    return out;
  }

  boolean bool(String name, boolean defaultValue) {
    String v = optional(name);
    if (v == null) {
      return defaultValue;
    }
    return switch (v.toLowerCase()) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(name + ": '" + v + "' is not true or false");
    };
  }
}
