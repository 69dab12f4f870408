package io.nexslice.dynamicslicing.testing;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples read out of a /metrics page (Prometheus' text format), for the tests and benchmarks
 * that check the controller's and the API server's counters. One reader for all of them, and a
 * strict one: a 0 read from a page that lacks the metric would pass "after - before <= x" checks.
 */
public final class MetricsText {
  private MetricsText() {}

  /**
   * The sum of the samples of {@code name} whose labels include every one of {@code labels}, 0
   * when none does (a labelled counter before its first increment). Fails when the page does not
   * declare the metric at all (a misspelt name, or not a /metrics page).
   */
  public static double sum(String text, String name, Map<String, String> labels) {
    if (!declares(text, name)) {
      throw new IllegalStateException("no metric " + name + " on the /metrics page");
    }
    return add(text, name, labels, false);
  }

  /** As {@link #sum}, and fails as well when no sample has those labels. */
  public static double sample(String text, String name, Map<String, String> labels) {
    return add(text, name, labels, true);
  }

  private static double add(String text, String name, Map<String, String> labels, boolean required) {
    Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{(.*)})? ([0-9.eE+-]+|NaN|[+-]Inf)$", Pattern.MULTILINE)
        .matcher(text);
    double sum = 0;
    boolean found = false;
    while (m.find()) {
      String sampleLabels = "," + (m.group(2) == null ? "" : m.group(2));
      if (labels.entrySet().stream().allMatch(e -> sampleLabels.contains("," + e.getKey() + "=\"" + e.getValue() + "\""))) {
        sum += Double.parseDouble(m.group(3).replace("Inf", "Infinity"));
        found = true;
      }
    }
    if (required && !found) {
      throw new AssertionError("no sample " + name + labels + " in\n"
          + text.lines().filter(l -> l.startsWith(name)).toList());
    }
    return sum;
  }

  /** Whether a "# TYPE" line names the metric or its family (a histogram's _sum, _count, _bucket; a counter's _total). */
  private static boolean declares(String text, String name) {
    String family = name.replaceFirst("_(sum|count|bucket|total|created)$", "");
    return Pattern.compile("^# TYPE (" + Pattern.quote(name) + "|" + Pattern.quote(family) + ") ", Pattern.MULTILINE)
        .matcher(text).find();
  }
}
