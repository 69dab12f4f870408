package io.nexslice.dynamicslicing.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * One JSON text from the API server (a list response, a watch event's line) read through
 * Jackson's streaming parser, from which a value can also be taken as the bytes that were sent.
 *
 * <p>Why the bytes as sent: the specs of our objects stay in the cache as JSON text
 * ({@link PackedText}). Copying the bytes costs a copy; writing the parsed value out again would
 * cost a serialisation, and the text would differ from the server's in its escapes and numbers.
 */
public final class SentJson implements Closeable {
  private final ByteTrail trail;
  private final JsonParser parser;

  /** The text's parser, standing on its first token. */
  SentJson(JsonFactory factory, InputStream in) throws IOException {
    this.trail = new ByteTrail(in);
    this.parser = factory.createParser(trail);
    parser.nextToken();
  }

  JsonParser parser() {
    return parser;
  }

  /**
   * The bytes of the value the parser stands on, as sent; the parser is left on the value's last
   * token, as {@link JsonParser#skipChildren()} leaves it.
   */
  byte[] takeValue() throws IOException {
    holdFromCurrentToken();
    parser.skipChildren();
    // A string is read only when asked for: until then its end is unknown.
    parser.finishToken();
    return trail.take(parser.currentLocation().getByteOffset());
  }

  /** Sees a field of the object being taken, the parser on its value (which it need not read). */
  interface FieldCheck {
    void field(String name, JsonParser value) throws IOException;
  }

  /**
   * The bytes of the object the parser stands on, as sent, like {@link #takeValue()}; on the way
   * {@code check} sees each of its fields (say, to note a ConfigMap's keys without decoding
   * their values). The parser is left on the object's end.
   */
  byte[] takeObject(FieldCheck check) throws IOException {
    JsonSteps.expect(parser, JsonToken.START_OBJECT);
    holdFromCurrentToken();
    String name;
    while ((name = JsonSteps.nextField(parser)) != null) {
      check.field(name, parser);
      parser.skipChildren();
    }
    return trail.take(parser.currentLocation().getByteOffset());
  }

  /** Keeps the bytes from the token the parser stands on until the next {@link ByteTrail#take}. */
  private void holdFromCurrentToken() {
    long start = parser.currentTokenLocation().getByteOffset();
    if (start < 0) {
      throw new IllegalStateException("the parser does not count bytes (" + parser.getClass().getSimpleName() + ")");
    }
    trail.hold(start);
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
