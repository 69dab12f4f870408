package io.nexslice.dynamicslicing.config;

import java.util.Map;

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
