package io.nexslice.dynamicslicing.config;

/** A configuration value that cannot be used; the message names the variable and what is allowed. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
