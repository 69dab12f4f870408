package io.nexslice.dynamicslicing.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Kubernetes label selector (equality- and set-based, as kubectl -l takes it).
 *
 * <p>The API server filters the UE informer with the selector's text; we parse it ourselves too,
 * so a typo stops the controller at start with a clear message instead of an informer that
 * retries a 400 forever, and so that the reconciler can check a cached pod against it.
 */
public final class LabelSelector {
  private static final String KEY =
      "(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?"
          + "[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?";
  private static final String VALUE = "(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?";
  private static final Pattern SET =
      Pattern.compile("(" + KEY + ")\\s+(in|notin)\\s+\\(([^()]*)\\)");
  private static final Pattern EQUALITY = Pattern.compile("(" + KEY + ")\\s*(==|=|!=)\\s*(" + VALUE + ")");
  private static final Pattern EXISTS = Pattern.compile("(!?)(" + KEY + ")");

  private enum Op { IN, NOT_IN, EXISTS, NOT_EXISTS }

  private record Requirement(String key, Op op, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (op) {
        case IN -> v != null && values.contains(v);
        case NOT_IN -> v == null || !values.contains(v);
        case EXISTS -> v != null;
        case NOT_EXISTS -> v == null;
      };
    }
  }

  private final String text;
  private final List<Requirement> requirements;

  private LabelSelector(String text, List<Requirement> requirements) {
    this.text = text;
    this.requirements = List.copyOf(requirements);
  }

  /** Parses {@code text}; throws IllegalArgumentException naming the part that is wrong. */
  public static LabelSelector parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("an empty selector would select every pod");
    }
    List<Requirement> reqs = new ArrayList<>();
    for (String part : splitTopLevel(trimmed)) {
      String p = part.trim();
      Matcher m;
      if ((m = SET.matcher(p)).matches()) {
        Set<String> values = new HashSet<>();
        for (String v : m.group(3).split(",")) {
          String value = v.trim();
          if (!value.matches(VALUE) || value.length() > 63) {
            throw new IllegalArgumentException("invalid value '" + value + "' in '" + p + "'");
          }
          values.add(value);
        }
        reqs.add(new Requirement(m.group(1), m.group(2).equals("in") ? Op.IN : Op.NOT_IN, values));
      } else if ((m = EQUALITY.matcher(p)).matches()) {
        if (m.group(3).length() > 63) {
          throw new IllegalArgumentException("value longer than 63 characters in '" + p + "'");
        }
        reqs.add(new Requirement(m.group(1), m.group(2).equals("!=") ? Op.NOT_IN : Op.IN, Set.of(m.group(3))));
      } else if ((m = EXISTS.matcher(p)).matches()) {
        reqs.add(new Requirement(m.group(2), m.group(1).isEmpty() ? Op.EXISTS : Op.NOT_EXISTS, Set.of()));
      } else {
        throw new IllegalArgumentException("cannot parse '" + p + "'");
      }
    }
    return new LabelSelector(trimmed, reqs);
  }

  /** Splits on commas that are not inside parentheses. */
  private static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') depth++;
      if (c == ')') depth--;
      if (c == ',' && depth == 0) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    return parts;
  }

  public boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    return requirements.stream().allMatch(r -> r.matches(l));
  }

  /** The selector as the API server takes it in {@code labelSelector=}. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }
}
