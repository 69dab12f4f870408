package io.nexslice.dynamicslicing.model;

import io.nexslice.dynamicslicing.slice.Slice;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Deterministic names of the objects that serve one UE pod.
 *
 * <p>{@code upf-<pod>} whenever that is a valid DNS-1035 label (Services demand it) of at most 63
 * characters. Otherwise (dotted or upper-case names, names up to 253 characters) the pod name is
 * sanitised and cut, and a hash of the full name is appended, so two pods never share a name:
 * pods equal in their first 50 characters still differ in the hash.
 */
public final class UpfNames {
  static final String PREFIX = "upf-";
  static final int MAX = 63;
  static final int HASH_LENGTH = 10;
  private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  private UpfNames() {}

  /** The name of the UPF Deployment, Service and ConfigMap for the pod named {@code podName}. */
  public static String forPod(String podName) {
    String plain = PREFIX + podName;
    if (plain.length() <= MAX && DNS1035_LABEL.matcher(plain).matches()) {
      return plain;
    }
    String sanitised = podName.toLowerCase().replaceAll("[^a-z0-9-]+", "-");
    int room = MAX - PREFIX.length() - 1 - HASH_LENGTH;
    if (sanitised.length() > room) {
      sanitised = sanitised.substring(0, room);
    }
    sanitised = sanitised.replaceAll("^-+|-+$", "");
    String stem = sanitised.isEmpty() ? "" : sanitised + "-";
    return PREFIX + stem + hash(podName);
  }

  /**
   * The name of the UPF a slice group shares: {@code upf-sst1-ffffff-oai} when that is a valid
   * DNS-1035 label, else a sanitised, hashed one.
   */
  public static String forSlice(Slice slice) {
    String stem = "sst" + slice.sst() + "-" + slice.sd().orElse("nosd") + "-" + slice.dnn();
    return forPod(stem.toLowerCase());
  }

  private static String hash(String s) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  /** A label value (at most 63 characters) that stands for the pod: its name, or the UPF name's hash. */
  public static String ueLabelValue(String podName) {
    if (podName.length() <= MAX && podName.matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
      return podName;
    }
    return forPod(podName).substring(PREFIX.length());
  }
}
