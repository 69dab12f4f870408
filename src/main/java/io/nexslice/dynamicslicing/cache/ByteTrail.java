package io.nexslice.dynamicslicing.cache;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * An input stream that keeps the bytes read through it for a while, so that a value its parser
 * has just met can be taken whole, as it came ({@link SentJson#takeValue()}).
 *
 * <p>Why a trail: a parser reads ahead into a buffer of its own, so by the time it reports that
 * a value starts, the stream is already past that point. The trail keeps the last
 * {@link #BEHIND} bytes at all times, and everything from a held offset while a value is taken.
 * Only a few values are taken (the specs of our objects), so the rest of a list of tens of
 * megabytes passes through with no more than this window kept.
 */
final class ByteTrail extends InputStream {
  /**
   * Bytes kept behind the read position while nothing is held: more than a parser reads ahead
   * (Jackson's buffer is 8 000 bytes). Too few is an error at {@link #hold}, never wrong bytes.
   */
  static final int BEHIND = 64 * 1024;

  private final InputStream in;
  private byte[] kept = new byte[2 * BEHIND];
  private int size;
  /** Offset in the stream of kept[0]. */
  private long start;
  /** While a value is taken: its offset in the stream, which nothing before may be dropped; else -1. */
  private long held = -1;

  ByteTrail(InputStream in) {
    this.in = in;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      keep(b, off, n);
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /** From now on, keeps every byte from {@code offset} (an offset in the stream) until {@link #take}. */
  void hold(long offset) {
    if (offset < start || offset > start + size) {
      throw new IllegalStateException("byte " + offset + " is no longer kept (kept: " + start + " to " + (start + size) + ")");
    }
    held = offset;
  }

  /** The bytes from the held offset up to {@code end} (exclusive), and the hold released. */
  byte[] take(long end) {
    if (held < 0 || end < held || end > start + size) {
      throw new IllegalStateException("cannot take bytes " + held + " to " + end + " (kept: " + start + " to " + (start + size) + ")");
    }
    byte[] value = Arrays.copyOfRange(kept, (int) (held - start), (int) (end - start));
    held = -1;
    return value;
  }

  private void keep(byte[] b, int off, int n) {
    if (size + n > kept.length) {
      long keepFrom = held >= 0 ? held : start + size + n - BEHIND;
      int drop = (int) Math.min(size, Math.max(0, keepFrom - start));
      System.arraycopy(kept, drop, kept, 0, size - drop);
      size -= drop;
      start += drop;
      if (size + n > kept.length) {
        // A held value larger than the window (a big ConfigMap of ours): grow for it.
        kept = Arrays.copyOf(kept, Math.max(kept.length * 2, size + n));
      }
    }
    System.arraycopy(b, off, kept, size, n);
    size += n;
  }
}
