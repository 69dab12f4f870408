package io.nexslice.dynamicslicing.cache;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A pull reader of JSON as UTF-8 bytes, with the part of Gson's JsonReader API that CacheDecoder
 * uses, plus {@link #captureValue()}: the raw bytes of the next value, copied, not parsed.
 *
 * <p>Why not Gson's JsonReader: informer lists are tens of megabytes (51 MB for 5 000 UEs' four
 * kinds of objects) of which the cache keeps little. Gson reads chars, so every byte is first
 * decoded from UTF-8, then tokenised through a general state machine; skipping the unread
 * fields (managedFields alone are 40 % of the bytes) and re-serialising the specs we keep was
 * most of the controller's start-up CPU (docs/BENCHMARKS.md, P5). Here skipping a value is a
 * scan for its closing bracket, strings are decoded only when asked for, and a spec is kept as
 * the bytes the API server sent.
 *
 * <p>Strict JSON only (RFC 8259): what the API server writes. Malformed input is an IOException
 * naming the byte offset, never a wrong value.
 */
public final class Utf8JsonReader {
  /** What the next value is; END after the document's one value. */
  enum Token { BEGIN_OBJECT, END_OBJECT, BEGIN_ARRAY, END_ARRAY, NAME, STRING, NUMBER, BOOLEAN, NULL, END }

  // Scopes, as in Gson's JsonReader: where in the document the reader stands.
  private static final int EMPTY_DOCUMENT = 0;
  private static final int NONEMPTY_DOCUMENT = 1;
  private static final int EMPTY_OBJECT = 2;
  private static final int NONEMPTY_OBJECT = 3;
  private static final int DANGLING_NAME = 4;
  private static final int EMPTY_ARRAY = 5;
  private static final int NONEMPTY_ARRAY = 6;

  private final InputStream in;
  private byte[] buf;
  private int pos;
  private int limit;
  /** Bytes before buf[0], for error messages. */
  private long offset;
  private int[] scopes = new int[32];
  private int depth = 1;
  private Token peeked;
  /** While a value is captured: the bytes so far, and where in buf the uncopied part starts. */
  private Bytes capture;
  private int captureFrom;
  private final Bytes scratch = new Bytes(64);

  /** Reads a stream (an informer's list as it arrives). */
  Utf8JsonReader(InputStream in) {
    this.in = in;
    this.buf = new byte[64 * 1024];
    scopes[0] = EMPTY_DOCUMENT;
  }

  private Utf8JsonReader(byte[] bytes) {
    this.in = null;
    this.buf = bytes;
    this.limit = bytes.length;
    scopes[0] = EMPTY_DOCUMENT;
  }

  /** Reads one text (a watch event's line). */
  public static Utf8JsonReader of(String text) {
    return new Utf8JsonReader(text.getBytes(StandardCharsets.UTF_8));
  }

  Token peek() throws IOException {
    if (peeked != null) {
      return peeked;
    }
    int scope = scopes[depth - 1];
    int c;
    switch (scope) {
      case EMPTY_ARRAY, NONEMPTY_ARRAY -> {
        c = nextNonWhitespace(true);
        if (c == ']') {
          return peeked = Token.END_ARRAY;
        }
        if (scope == NONEMPTY_ARRAY) {
          if (c != ',') {
            throw syntax("expected ',' or ']'");
          }
          c = nextNonWhitespace(true);
        }
        scopes[depth - 1] = NONEMPTY_ARRAY;
        return peeked = value(c);
      }
      case EMPTY_OBJECT, NONEMPTY_OBJECT -> {
        c = nextNonWhitespace(true);
        if (c == '}') {
          return peeked = Token.END_OBJECT;
        }
        if (scope == NONEMPTY_OBJECT) {
          if (c != ',') {
            throw syntax("expected ',' or '}'");
          }
          c = nextNonWhitespace(true);
        }
        if (c != '"') {
          throw syntax("expected a name");
        }
        scopes[depth - 1] = DANGLING_NAME;
        return peeked = Token.NAME;
      }
      case DANGLING_NAME -> {
        if (nextNonWhitespace(true) != ':') {
          throw syntax("expected ':'");
        }
        scopes[depth - 1] = NONEMPTY_OBJECT;
        return peeked = value(nextNonWhitespace(true));
      }
      case EMPTY_DOCUMENT -> {
        scopes[depth - 1] = NONEMPTY_DOCUMENT;
        return peeked = value(nextNonWhitespace(true));
      }
      default -> {
        if (nextNonWhitespace(false) != -1) {
          throw syntax("expected the end of the document");
        }
        return peeked = Token.END;
      }
    }
  }

  /** The token a value starting with {@code c} is; the opening bracket or quote is consumed. */
  private Token value(int c) throws IOException {
    switch (c) {
      case '{' -> {
        return Token.BEGIN_OBJECT;
      }
      case '[' -> {
        return Token.BEGIN_ARRAY;
      }
      case '"' -> {
        return Token.STRING;
      }
      case 't', 'f' -> {
        pos--;
        return Token.BOOLEAN;
      }
      case 'n' -> {
        pos--;
        return Token.NULL;
      }
      default -> {
        if (c == '-' || c >= '0' && c <= '9') {
          pos--;
          return Token.NUMBER;
        }
        throw syntax("expected a value");
      }
    }
  }

  boolean hasNext() throws IOException {
    Token t = peek();
    return t != Token.END_OBJECT && t != Token.END_ARRAY && t != Token.END;
  }

  void beginObject() throws IOException {
    expect(Token.BEGIN_OBJECT);
    push(EMPTY_OBJECT);
  }

  void endObject() throws IOException {
    expect(Token.END_OBJECT);
    depth--;
  }

  void beginArray() throws IOException {
    expect(Token.BEGIN_ARRAY);
    push(EMPTY_ARRAY);
  }

  void endArray() throws IOException {
    expect(Token.END_ARRAY);
    depth--;
  }

  String nextName() throws IOException {
    expect(Token.NAME);
    return readString();
  }

  /** A string's value; a number's literal text, as Gson's nextString gives it. */
  String nextString() throws IOException {
    Token t = peek();
    if (t == Token.NUMBER) {
      peeked = null;
      return literal();
    }
    expect(Token.STRING);
    return readString();
  }

  long nextLong() throws IOException {
    expect(Token.NUMBER);
    String text = literal();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw syntax("expected a whole number, found " + text);
    }
  }

  boolean nextBoolean() throws IOException {
    expect(Token.BOOLEAN);
    String text = literal();
    if (text.equals("true") || text.equals("false")) {
      return text.equals("true");
    }
    throw syntax("expected true or false, found " + text);
  }

  void nextNull() throws IOException {
    expect(Token.NULL);
    String text = literal();
    if (!text.equals("null")) {
      throw syntax("expected null, found " + text);
    }
  }

  /** Skips the next value (after a name: the name and its value). */
  void skipValue() throws IOException {
    Token t = peek();
    peeked = null;
    switch (t) {
      case NAME -> {
        skipString();
        skipValue();
      }
      case STRING -> skipString();
      case BEGIN_OBJECT, BEGIN_ARRAY -> skipContainer();
      case NUMBER, BOOLEAN, NULL -> literal();
      default -> throw syntax("expected a value to skip, found " + t);
    }
  }

  /** The next value's bytes as they stand in the input (an object, array, string or literal). */
  byte[] captureValue() throws IOException {
    Token t = peek();
    peeked = null;
    Bytes out = new Bytes(256);
    capture = out;
    try {
      switch (t) {
        case BEGIN_OBJECT, BEGIN_ARRAY -> {
          out.add(t == Token.BEGIN_OBJECT ? '{' : '[');
          captureFrom = pos;
          skipContainer();
        }
        case STRING -> {
          out.add('"');
          captureFrom = pos;
          skipString();
        }
        case NUMBER, BOOLEAN, NULL -> {
          captureFrom = pos;
          literal();
        }
        default -> throw syntax("expected a value to capture, found " + t);
      }
      out.add(buf, captureFrom, pos - captureFrom);
      return out.toArray();
    } finally {
      capture = null;
    }
  }

  private void expect(Token token) throws IOException {
    Token t = peek();
    if (t != token) {
      throw syntax("expected " + token + ", found " + t);
    }
    peeked = null;
  }

  private void push(int scope) {
    if (depth == scopes.length) {
      scopes = Arrays.copyOf(scopes, depth * 2);
    }
    scopes[depth++] = scope;
  }

  /** The next byte that is not whitespace, consumed; -1 at the end of input when allowed. */
  private int nextNonWhitespace(boolean required) throws IOException {
    while (pos < limit || fill()) {
      int c = buf[pos++];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return c;
      }
    }
    if (required) {
      throw new EOFException("JSON ends early at byte " + (offset + pos));
    }
    return -1;
  }

  /** Reads more input into buf; false at the end. Bytes being captured are kept first. */
  private boolean fill() throws IOException {
    if (in == null) {
      return false;
    }
    if (capture != null) {
      capture.add(buf, captureFrom, limit - captureFrom);
      captureFrom = 0;
    }
    offset += limit;
    pos = 0;
    limit = 0;
    int n;
    while ((n = in.read(buf, 0, buf.length)) == 0) {
      // a stream that returns 0 for a non-empty buffer is waiting; read again
    }
    if (n < 0) {
      return false;
    }
    limit = n;
    return true;
  }

  /** The rest of a string whose opening quote was consumed. */
  private String readString() throws IOException {
    for (int i = pos; i < limit; i++) {
      byte b = buf[i];
      if (b == '"') {
        String s = new String(buf, pos, i - pos, StandardCharsets.UTF_8);
        pos = i + 1;
        return s;
      }
      if (b == '\\' || b >= 0 && b < 0x20) {
        break;
      }
    }
    // Escapes, control characters or the end of the buffer: byte by byte.
    Bytes out = scratch;
    out.clear();
    while (true) {
      if (pos >= limit && !fill()) {
        throw new EOFException("JSON string not closed at byte " + (offset + pos));
      }
      byte b = buf[pos++];
      if (b == '"') {
        return new String(out.bytes, 0, out.size, StandardCharsets.UTF_8);
      } else if (b == '\\') {
        escape(out);
      } else if (b >= 0 && b < 0x20) {
        throw syntax("control character in a string");
      } else {
        out.add(b);
      }
    }
  }

  private void escape(Bytes out) throws IOException {
    int c = next();
    switch (c) {
      case '"', '\\', '/' -> out.add((byte) c);
      case 'b' -> out.add('\b');
      case 'f' -> out.add('\f');
      case 'n' -> out.add('\n');
      case 'r' -> out.add('\r');
      case 't' -> out.add('\t');
      case 'u' -> {
        int unit = hex4();
        int codePoint = unit;
        if (Character.isHighSurrogate((char) unit)) {
          // A pair stands for one character; UTF-8 encodes the character, not its halves.
          if (next() != '\\' || next() != 'u') {
            throw syntax("unpaired surrogate \\u" + Integer.toHexString(unit));
          }
          int low = hex4();
          if (!Character.isLowSurrogate((char) low)) {
            throw syntax("unpaired surrogate \\u" + Integer.toHexString(unit));
          }
          codePoint = Character.toCodePoint((char) unit, (char) low);
        } else if (Character.isLowSurrogate((char) unit)) {
          throw syntax("unpaired surrogate \\u" + Integer.toHexString(unit));
        }
        out.add(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
      }
      default -> throw syntax("unknown escape \\" + (char) c);
    }
  }

  private int hex4() throws IOException {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(next(), 16);
      if (d < 0) {
        throw syntax("bad \\u escape");
      }
      v = v * 16 + d;
    }
    return v;
  }

  private int next() throws IOException {
    if (pos >= limit && !fill()) {
      throw new EOFException("JSON ends early at byte " + (offset + pos));
    }
    return buf[pos++];
  }

  /** Skips the rest of a string whose opening quote was consumed. */
  private void skipString() throws IOException {
    while (true) {
      byte[] b = buf;
      int l = limit;
      for (int i = pos; i < l; i++) {
        byte c = b[i];
        if (c == '"') {
          pos = i + 1;
          return;
        }
        if (c == '\\') {
          if (i + 1 < l) {
            i++;
          } else {
            pos = l;
            next(); // the escaped byte, in the next buffer
            i = pos - 1;
            b = buf;
            l = limit;
          }
        }
      }
      pos = l;
      if (!fill()) {
        throw new EOFException("JSON string not closed at byte " + (offset + pos));
      }
    }
  }

  /** Skips the rest of an object or array whose opening bracket was consumed. */
  private void skipContainer() throws IOException {
    int open = 1;
    while (true) {
      byte[] b = buf;
      int l = limit;
      int i = pos;
      while (i < l) {
        byte c = b[i++];
        if (c == '"') {
          pos = i;
          skipString();
          b = buf;
          l = limit;
          i = pos;
        } else if (c == '{' || c == '[') {
          open++;
        } else if (c == '}' || c == ']') {
          if (--open == 0) {
            pos = i;
            return;
          }
        }
      }
      pos = l;
      if (!fill()) {
        throw new EOFException("JSON ends early at byte " + (offset + pos));
      }
    }
  }

  /** A number, true, false or null: the bytes up to the next delimiter. */
  private String literal() throws IOException {
    Bytes out = scratch;
    out.clear();
    while (pos < limit || fill()) {
      byte c = buf[pos];
      if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ':') {
        break;
      }
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E')) {
        throw syntax("unexpected character in a literal");
      }
      out.add(c);
      pos++;
    }
    if (out.size == 0) {
      throw syntax("expected a literal");
    }
    return new String(out.bytes, 0, out.size, StandardCharsets.ISO_8859_1);
  }

  private IOException syntax(String what) {
    return new IOException("malformed JSON at byte " + (offset + pos) + ": " + what);
  }

  /** A growable byte array; ByteArrayOutputStream's methods are synchronized. */
  private static final class Bytes {
    byte[] bytes;
    int size;

    Bytes(int capacity) {
      bytes = new byte[capacity];
    }

    void clear() {
      size = 0;
    }

    void add(int b) {
      if (size == bytes.length) {
        bytes = Arrays.copyOf(bytes, size * 2);
      }
      bytes[size++] = (byte) b;
    }

    void add(byte[] src) {
      add(src, 0, src.length);
    }

    void add(byte[] src, int from, int length) {
      if (size + length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + length));
      }
      System.arraycopy(src, from, bytes, size, length);
      size += length;
    }

    byte[] toArray() {
      return Arrays.copyOf(bytes, size);
    }
  }
}
