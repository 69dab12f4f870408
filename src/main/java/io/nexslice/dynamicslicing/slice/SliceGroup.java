package io.nexslice.dynamicslicing.slice;

import io.kubernetes.client.extended.controller.reconciler.Request;
import java.util.Optional;

/**
 * The UEs of one namespace, S-NSSAI and DNN: in per-slice mode they share one UPF.
 *
 * <p>Its work-queue key is a Request whose name is {@code slice:<sst>/<sd or ->/<dnn>}: pod
 * names cannot hold ':' or '/', so group keys never collide with UE keys, and one queue holds both.
 */
public record SliceGroup(String namespace, Slice slice) {
  static final String PREFIX = "slice:";

  public Request request() {
    return new Request(namespace, PREFIX + slice.sst() + "/" + slice.sd().orElse("-") + "/" + slice.dnn());
  }

  /** The value of the group annotation on a shared UPF: the request name. */
  public String key() {
    return request().getName();
  }

  public static boolean isGroupKey(String requestName) {
    return requestName.startsWith(PREFIX);
  }

  /** Parses a group key back; throws IllegalArgumentException for anything else. */
  public static SliceGroup parse(String namespace, String key) {
    if (!isGroupKey(key)) {
      throw new IllegalArgumentException("not a slice group key: " + key);
    }
    String[] parts = key.substring(PREFIX.length()).split("/", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a slice group key: " + key);
    }
    Optional<String> sd = parts[1].equals("-") ? Optional.empty() : Optional.of(parts[1]);
    return new SliceGroup(namespace, new Slice(Slice.parseSst(parts[0]), sd, parts[2]));
  }
}
