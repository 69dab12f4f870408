package io.nexslice.dynamicslicing.runtime;

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
    private volatile byte[] dictionary;

    PackedText pack(String text) {
      byte[] raw = text.getBytes(StandardCharsets.UTF_8);
      byte[] dict = dictionary;
      if (dict == null) {
        synchronized (this) {
          if (dictionary == null) {
            dictionary = raw;
          }
          dict = dictionary;
        }
      }
      Deflater deflater = new Deflater(Deflater.BEST_SPEED);
      try {
        deflater.setDictionary(dict);
        deflater.setInput(raw);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, raw.length / 4));
        byte[] buf = new byte[1024];
        while (!deflater.finished()) {
          out.write(buf, 0, deflater.deflate(buf));
        }
        return new PackedText(dict, out.toByteArray(), raw.length);
      } finally {
        deflater.end();
      }
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
