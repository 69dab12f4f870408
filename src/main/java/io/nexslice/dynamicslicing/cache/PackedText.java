package io.nexslice.dynamicslicing.cache;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Text the cache keeps but rarely reads (the spec of our Deployments and Services, the data of
 * our ConfigMaps), deflated against a dictionary: the first text of its kind.
 *
 * <p>Why: the UPFs of one controller differ in a few names, hashes and addresses, so each text
 * is mostly the dictionary again and deflates to a tenth of its size. Reading it back costs
 * microseconds, and happens only when a reconcile compares desired state with the cache.
 */
final class PackedText {
  /** One kind of text (say, Deployment specs): its dictionary is its first text. */
  static final class Kind {
    private byte[] dictionary;
    /**
     * One deflater for the kind, reset for each text. A new Deflater allocates ~260 KiB of
     * native state; 5 000 of them cost more system time in malloc and page faults than the
     * compression itself (docs/BENCHMARKS.md, P5).
     */
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private final byte[] chunk = new byte[4096];

    /** Packs UTF-8 text (JSON as the API server sent it). */
    synchronized PackedText pack(byte[] raw) {
      if (dictionary == null) {
        dictionary = raw;
      }
      deflater.reset();
      deflater.setDictionary(dictionary);
      deflater.setInput(raw);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, raw.length / 4));
      while (!deflater.finished()) {
        out.write(chunk, 0, deflater.deflate(chunk));
      }
      return new PackedText(dictionary, out.toByteArray(), raw.length);
    }
  }

  private final byte[] dictionary;
  private final byte[] packed;
  private final int length;

  private PackedText(byte[] dictionary, byte[] packed, int length) {
    this.dictionary = dictionary;
    this.packed = packed;
    this.length = length;
  }

  String text() {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(packed);
      byte[] raw = new byte[length];
      int n = inflater.inflate(raw);
      if (n == 0 && inflater.needsDictionary()) {
        inflater.setDictionary(dictionary);
        n = inflater.inflate(raw);
      }
      if (n != length) {
        throw new IllegalStateException("cached text inflated to " + n + " of " + length + " bytes");
      }
      return new String(raw, StandardCharsets.UTF_8);
    } catch (DataFormatException e) {
      throw new IllegalStateException("cached text is corrupt", e);
    } finally {
      inflater.end();
    }
  }

  /** Bytes held (the dictionary is shared by every text of the kind). */
  int packedSize() {
    return packed.length;
  }
}
