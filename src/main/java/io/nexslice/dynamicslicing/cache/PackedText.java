package io.nexslice.dynamicslicing.cache;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Text the cache keeps but rarely reads (the spec of our Deployments and Services, the data of
 * every ConfigMap), deflated against a dictionary: the first text of its kind.
 *
 * <p>Why: the UPFs of one controller differ in a few names, hashes and addresses, so each text
 * is mostly the dictionary again and deflates to a tenth of its size; so do the UEs' own
 * ConfigMaps (ue.sh's differ in an IMSI and a slice). Reading it back costs microseconds, and
 * happens only when a reconcile compares desired state with the cache or reads a ue.yaml.
 */
final class PackedText {
  /** Deflate looks back 32 KiB at most: more of a dictionary would be kept for nothing. */
  private static final int WINDOW = 32 * 1024;
  /** Names with a dictionary of their own, at most: texts of further names share one. */
  static final int MAX_DICTIONARIES = 64;

  /**
   * One kind of text (say, Deployment specs): a text's dictionary is the first text packed under
   * the same name ({@link #pack(byte[])}: one name for the whole kind).
   */
  static final class Kind {
    private static final String ONLY = "";
    private final Map<String, byte[]> dictionaries = new HashMap<>();
    /**
     * One deflater for the kind, reset for each text. A new Deflater allocates ~260 KiB of
     * native state; 5 000 of them cost more system time in malloc and page faults than the
     * compression itself (docs/BENCHMARKS.md, P5).
     */
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private final byte[] chunk = new byte[4096];

    /** Packs UTF-8 text (JSON as the API server sent it) against the kind's one dictionary. */
    PackedText pack(byte[] raw) {
      return pack(ONLY, raw);
    }

    /**
     * Packs UTF-8 text against the dictionary of {@code name}, made of the first text of that
     * name. Names beyond {@link #MAX_DICTIONARIES} share the dictionary of the first of them, so
     * that texts named by others (any ConfigMap's keys) cannot grow the kept dictionaries.
     */
    synchronized PackedText pack(String name, byte[] raw) {
      byte[] dictionary = dictionaries.get(name);
      if (dictionary == null) {
        String key = dictionaries.size() < MAX_DICTIONARIES ? name : "\0overflow";
        dictionary = dictionaries.computeIfAbsent(key,
            k -> raw.length > WINDOW ? Arrays.copyOfRange(raw, raw.length - WINDOW, raw.length) : raw);
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
    return new String(bytes(), StandardCharsets.UTF_8);
  }

  /** The UTF-8 bytes that were packed. */
  byte[] bytes() {
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
      return raw;
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
