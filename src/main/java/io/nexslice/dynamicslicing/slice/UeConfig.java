package io.nexslice.dynamicslicing.slice;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads the slice and DNN of a UE's first PDU session from its UERANSIM ue.yaml.
 *
 * <p>The file is written by the UE's owner, so it is parsed defensively: plain YAML types only,
 * a size cap, few aliases (no alias bombs), no duplicate keys. Only sst, sd and apn are read;
 * nothing in it reaches the UPF's image or privileges.
 */
public final class UeConfig {
  /** Larger than any real ue.yaml (a few KiB), small enough to never hurt. */
  public static final int MAX_BYTES = 64 * 1024;

  /** What ue.yaml says, each part absent when the file does not say it. */
  public record Values(Optional<Integer> sst, Optional<String> sd, Optional<String> dnn) {
    static final Values NONE = new Values(Optional.empty(), Optional.empty(), Optional.empty());
  }

  private UeConfig() {}

  /** Parses {@code text}; throws IllegalArgumentException saying what is wrong. */
  public static Values parse(String text) {
    if (text.length() > MAX_BYTES) {
      throw new IllegalArgumentException("ue.yaml is larger than " + MAX_BYTES + " bytes");
    }
    if (text.chars().anyMatch(c -> c == 0)) {
      throw new IllegalArgumentException("ue.yaml holds binary data");
    }
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(20);
    options.setAllowDuplicateKeys(false);
    options.setCodePointLimit(MAX_BYTES);
    options.setNestingDepthLimit(20);
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(options)).load(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("ue.yaml is not valid YAML: " + firstLine(e.getMessage()));
    }
    if (doc == null) {
      return Values.NONE;
    }
    if (!(doc instanceof Map<?, ?> root)) {
      throw new IllegalArgumentException("ue.yaml is not a mapping");
    }
    Object sessions = root.get("sessions");
    if (sessions == null) {
      return Values.NONE;
    }
    if (!(sessions instanceof List<?> list)) {
      throw new IllegalArgumentException("ue.yaml: sessions is not a list");
    }
    if (list.isEmpty()) {
      return Values.NONE;
    }
    if (!(list.get(0) instanceof Map<?, ?> first)) {
      throw new IllegalArgumentException("ue.yaml: sessions[0] is not a mapping");
    }
    Optional<String> dnn = Optional.ofNullable(first.get("apn")).map(String::valueOf);
    Optional<Integer> sst = Optional.empty();
    Optional<String> sd = Optional.empty();
    Object slice = first.get("slice");
    if (slice != null) {
      if (!(slice instanceof Map<?, ?> s)) {
        throw new IllegalArgumentException("ue.yaml: sessions[0].slice is not a mapping");
      }
      if (s.get("sst") != null) {
        sst = Optional.of(Slice.parseSst(String.valueOf(s.get("sst"))));
      }
      if (s.get("sd") != null) {
        sd = Optional.of(Slice.parseSd(s.get("sd")));
      }
    }
    return new Values(sst, sd, dnn);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "parse error";
    }
    String line = s.lines().findFirst().orElse(s);
    return Slice.abbreviate(line.length() > 120 ? line.substring(0, 120) : line);
  }
}
