package io.nexslice.dynamicslicing.slice;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An S-NSSAI (slice/service type and optional slice differentiator) with the DNN the UE uses
 * in it. Values are validated on construction; {@code sd} is upper-case hex.
 */
public record Slice(int sst, Optional<String> sd, String dnn) {
  private static final Pattern SD = Pattern.compile("[0-9A-Fa-f]{6}");
  // A DNN is an APN (TS 23.003): labels of letters, digits and '-', dot-separated, at most 100.
  private static final Pattern DNN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
      + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  public Slice {
    if (sst < 0 || sst > 255) {
      throw new IllegalArgumentException("sst " + sst + " is outside 0-255");
    }
    sd = sd.map(s -> s.toUpperCase(Locale.ROOT));
    if (sd.isPresent() && !SD.matcher(sd.get()).matches()) {
      throw new IllegalArgumentException("sd '" + sd.get() + "' is not 6 hex digits");
    }
    if (dnn == null || dnn.length() > 100 || !DNN.matcher(dnn).matches()) {
      throw new IllegalArgumentException("dnn '" + dnn + "' is not a valid DNN (letters, digits, '-' and '.')");
    }
  }

  /** Parses an sst written as text (annotation or config). */
  public static int parseSst(String text) {
    try {
      int v = Integer.parseInt(text.trim());
      if (v < 0 || v > 255) {
        throw new IllegalArgumentException("sst '" + text + "' is outside 0-255");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("sst '" + abbreviate(text) + "' is not a number from 0 to 255");
    }
  }

  /** Parses an sd; UERANSIM configs write it as a number (0xFFFFFF or 16777215) or as hex text. */
  public static String parseSd(Object value) {
    if (value instanceof Number n) {
      long v = n.longValue();
      if (v < 0 || v > 0xFFFFFFL) {
        throw new IllegalArgumentException("sd " + v + " is outside 0x000000-0xFFFFFF");
      }
      return String.format("%06X", v);
    }
    String s = String.valueOf(value).trim();
    if (s.startsWith("0x") || s.startsWith("0X")) {
      s = s.substring(2);
    }
    if (!SD.matcher(s).matches()) {
      throw new IllegalArgumentException("sd '" + abbreviate(String.valueOf(value)) + "' is not 6 hex digits");
    }
    return s.toUpperCase(Locale.ROOT);
  }

  static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
  }

  /** Text for logs and status: "sst=1 sd=FFFFFF dnn=oai". */
  @Override
  public String toString() {
    return "sst=" + sst + sd.map(s -> " sd=" + s).orElse("") + " dnn=" + dnn;
  }
}
