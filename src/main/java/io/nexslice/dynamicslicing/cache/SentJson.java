package io.nexslice.dynamicslicing.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
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
    long start = parser.currentTokenLocation().getByteOffset();
    if (start < 0) {
      throw new IllegalStateException("the parser does not count bytes (" + parser.getClass().getSimpleName() + ")");
    }
    trail.hold(start);
    parser.skipChildren();
    // A string is read only when asked for: until then its end is unknown.
    parser.finishToken();
    return trail.take(parser.currentLocation().getByteOffset());
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
