package io.nexslice.dynamicslicing.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * An IPv4 range cut into equal blocks: UPF_POOL_CIDR (default 12.2.0.0/16, clear of NexSlice's
 * static 12.1.x.0/24 pools) in blocks of UPF_POOL_BLOCK_PREFIX (default /29 per UE, /24 per
 * slice). Pure arithmetic.
 */
public final class AddressPool {
  private final long base;
  private final int prefix;
  private final int blockPrefix;

  public AddressPool(String cidr, int blockPrefix) {
    long[] network = parseNetwork(cidr, 8, 30);
    int p = (int) network[1];
    if (blockPrefix < p || blockPrefix > 30) {
      throw new IllegalArgumentException("block size /" + blockPrefix + " must be between /" + p + " and /30");
    }
    this.base = network[0];
    this.prefix = p;
    this.blockPrefix = blockPrefix;
  }

  public int blockCount() {
    return 1 << (blockPrefix - prefix);
  }

  /** Block number {@code i}, as CIDR text. */
  public String block(int i) {
    if (i < 0 || i >= blockCount()) {
      throw new IndexOutOfBoundsException(i);
    }
    return format(base + ((long) i << (32 - blockPrefix))) + "/" + blockPrefix;
  }

  /** True when the IPv4 address {@code address} lies in this pool. */
  public boolean containsAddress(String address) {
    long a = parseIpv4(address);
    return a >= base && a < base + (1L << (32 - prefix));
  }

  /** The block holding {@code address}, which must lie in this pool. */
  public String blockOf(String address) {
    long a = parseIpv4(address);
    return block((int) ((a - base) >> (32 - blockPrefix)));
  }

  /**
   * True when {@code cidr} may be a UPF's UE pool in this range: a network of /prefix to /30 lying
   * inside it. A block of the configured size, or one of another size that a UPF recorded under
   * earlier settings and keeps.
   */
  boolean fitsInside(String cidr) {
    try {
      long[] network = parseNetwork(cidr, prefix, 30);
      return network[0] >= base && network[0] < base + (1L << (32 - prefix));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The blocks of this pool that share an address with the network {@code cidr}: the one holding
   * it when it is a block or smaller (a static address), every block it spans when it is larger
   * (a pool recorded under a smaller UPF_POOL_BLOCK_PREFIX), none when it lies outside the pool or
   * is not a network. A recorded pool is indexed under these, so that looking a block up finds
   * every pool overlapping it, whatever its size.
   */
  public List<String> blocksOverlapping(String cidr) {
    long[] r;
    try {
      r = range(cidr);
    } catch (IllegalArgumentException e) {
      return List.of();
    }
    long first = Math.max(r[0], base);
    long last = Math.min(r[1], base + (1L << (32 - prefix)) - 1);
    if (first > last) {
      return List.of();
    }
    int from = (int) ((first - base) >> (32 - blockPrefix));
    int to = (int) ((last - base) >> (32 - blockPrefix));
    List<String> out = new ArrayList<>(to - from + 1);
    for (int i = from; i <= to; i++) {
      out.add(block(i));
    }
    return out;
  }

  /**
   * {@code cidr} checked: an IPv4 network with a prefix of /1-/32 and no host bits set; throws
   * IllegalArgumentException saying what is wrong.
   */
  public static String requireNetwork(String cidr) {
    long[] network = parseNetwork(cidr, 1, 32);
    return format(network[0]) + "/" + network[1];
  }

  /** {address, prefix} of a network CIDR whose prefix lies in [min, max]; throws saying what is wrong. */
  private static long[] parseNetwork(String cidr, int min, int max) {
    String[] parts = cidr.trim().split("/");
    if (parts.length != 2) {
      throw new IllegalArgumentException("'" + cidr + "' is not a CIDR such as 12.2.0.0/16");
    }
    long addr = parseIpv4(parts[0]);
    int p;
    try {
      p = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + cidr + "' has no prefix length");
    }
    if (p < min || p > max) {
      throw new IllegalArgumentException("prefix /" + p + " of '" + cidr + "' is outside /" + min + "-/" + max);
    }
    if ((addr & mask(p)) != addr) {
      throw new IllegalArgumentException("'" + cidr + "' has host bits set; did you mean "
          + format(addr & mask(p)) + "/" + p + "?");
    }
    return new long[] {addr, p};
  }

  /** True when the networks {@code a} and {@code b} (CIDR text) share an address. */
  public static boolean overlaps(String a, String b) {
    long[] x = range(a);
    long[] y = range(b);
    return x[0] <= y[1] && y[0] <= x[1];
  }

  /** True when {@code address} lies in the network {@code cidr}. */
  public static boolean contains(String cidr, String address) {
    long[] r = range(cidr);
    long a = parseIpv4(address);
    return r[0] <= a && a <= r[1];
  }

  /** First and last address of a CIDR. */
  private static long[] range(String cidr) {
    String[] parts = requireNetwork(cidr).split("/");
    long first = parseIpv4(parts[0]);
    long size = 1L << (32 - Integer.parseInt(parts[1]));
    return new long[] {first, first + size - 1};
  }

  /** The first usable address of a block: the UE-side gateway a UPF config names. */
  public static String gateway(String block) {
    return format(parseIpv4(block.split("/")[0]) + 1);
  }

  @Override
  public String toString() {
    return format(base) + "/" + prefix + " in /" + blockPrefix + " blocks";
  }

  private static long mask(int p) {
    return (0xFFFFFFFFL << (32 - p)) & 0xFFFFFFFFL;
  }

  static long parseIpv4(String s) {
    String[] o = s.trim().split("\\.");
    if (o.length != 4) {
      throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
    }
    long v = 0;
    for (String part : o) {
      int n;
      try {
        n = Integer.parseInt(part);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
      }
      if (n < 0 || n > 255 || !part.equals(Integer.toString(n))) {
        throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
      }
      v = (v << 8) | n;
    }
    return v;
  }

  static String format(long v) {
    return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
  }
}
