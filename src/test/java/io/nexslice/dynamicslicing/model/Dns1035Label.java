package io.nexslice.dynamicslicing.model;

import java.util.regex.Pattern;

/**
 * The API server's rule for a Service name (an RFC 1035 label), written here from the
 * Kubernetes documentation so that tests check UpfNames against the rule, not against itself.
 */
public final class Dns1035Label {
  private static final Pattern LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  private Dns1035Label() {
  }

  public static boolean isValid(String name) {
    return name.length() <= 63 && LABEL.matcher(name).matches();
  }
}
