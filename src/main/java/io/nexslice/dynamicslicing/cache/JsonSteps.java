package io.nexslice.dynamicslicing.cache;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The steps the decoders take through a Jackson parser, with the checks that make input of an
 * unexpected shape an error instead of a wrong value (strict as the API server's JSON is).
 */
final class JsonSteps {
  private JsonSteps() {}

  /** Checks that the parser stands on {@code token}. */
  static void expect(JsonParser p, JsonToken token) throws IOException {
    if (p.currentToken() != token) {
      throw new JsonParseException(p, "expected " + token + ", found " + p.currentToken());
    }
  }

  /** The next field's name with the parser on the field's value, or null at the end of the object. */
  static String nextField(JsonParser p) throws IOException {
    String name = p.nextFieldName();
    if (name != null) {
      p.nextToken();
    }
    return name;
  }

  /** A string's value, or a number's text as it was written. */
  static String text(JsonParser p) throws IOException {
    expectText(p);
    return p.getText();
  }

  /** Checks that the parser stands on what {@link #text} reads, without reading it. */
  static void expectText(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new JsonParseException(p, "expected a string, found " + t);
    }
  }

  /** A whole number; a fraction or one beyond a long is an error, not rounded. */
  static long wholeNumber(JsonParser p) throws IOException {
    expect(p, JsonToken.VALUE_NUMBER_INT);
    return p.getLongValue();
  }
}
