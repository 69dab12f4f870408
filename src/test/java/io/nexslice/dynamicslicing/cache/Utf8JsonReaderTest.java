package io.nexslice.dynamicslicing.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.internal.LazilyParsedNumber;
import io.nexslice.dynamicslicing.cache.Utf8JsonReader.Token;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader must see exactly what Gson sees in any JSON the API server may send, however it arrives. */
class Utf8JsonReaderTest {
  private static final String TRICKY = """
      {"a":"plain","b":"esc \\" \\\\ \\/ \\b\\f\\n\\r\\t","u":"\\u003cb\\u003e \\u0026 caf\\u00e9 \\ud83d\\ude00",
       "raw":"naïve ✓ 😀","n":[0,-12,3.25,1e5,1.5E-3,-0.0],"t":true,"f":false,"z":null,
       "nested":{"x":[{"y":"}]\\"{["},[],{}],"e":""}, "ws" : [ 1 , "two" ] }
      """;

  @Test
  void readsWhatGsonReadsWhateverTheChunking() throws IOException {
    String expected = dumpGson(TRICKY);
    for (int chunk : List.of(1, 2, 3, 7, 64, 100_000)) {
      assertEquals(expected, dump(new Utf8JsonReader(chunked(TRICKY, chunk))), "chunks of " + chunk);
    }
    assertEquals(expected, dump(Utf8JsonReader.of(TRICKY)));
  }

  @Test
  void aLargeDocumentCrossesBufferBoundariesWithoutLoss() throws IOException {
    StringBuilder sb = new StringBuilder("{\"items\":[");
    for (int i = 0; i < 3000; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"name\":\"ue-").append(i).append("\",\"note\":\"é\\\"}").append(i)
          .append("\",\"skip\":{\"deep\":[\"]\",{\"k\":\"\\\\\"}]},\"v\":").append(i).append('}');
    }
    String doc = sb.append("]}").toString();
    assertTrue(doc.length() > 3 * 64 * 1024);
    assertEquals(dumpGson(doc), dump(new Utf8JsonReader(chunked(doc, 4093))));

    Utf8JsonReader in = new Utf8JsonReader(chunked(doc, 4093));
    in.beginObject();
    in.nextName();
    in.beginArray();
    int n = 0;
    while (in.hasNext()) {
      in.beginObject();
      while (in.hasNext()) {
        String name = in.nextName();
        if (name.equals("v")) {
          assertEquals(n, in.nextLong());
        } else {
          in.skipValue();
        }
      }
      in.endObject();
      n++;
    }
    in.endArray();
    in.endObject();
    assertEquals(Token.END, in.peek());
    assertEquals(3000, n);
  }

  @Test
  void aCapturedValueIsTheBytesAsSent() throws IOException {
    String spec = "{\"x\":[{\"y\":\"}]\\\"{[ é\"},[],{}],\"e\":\"\",\"n\":-1.5e3,\"t\":true}";
    String doc = "{\"metadata\":{\"name\":\"a\"},\"spec\":" + spec + ",\"s\":\"str\\\"ing\",\"k\":12,\"after\":1}";
    for (int chunk : List.of(1, 5, 100_000)) {
      Utf8JsonReader in = new Utf8JsonReader(chunked(doc, chunk));
      in.beginObject();
      in.nextName();
      in.skipValue();
      assertEquals("spec", in.nextName());
      assertArrayEquals(spec.getBytes(StandardCharsets.UTF_8), in.captureValue(), "chunks of " + chunk);
      in.nextName();
      assertEquals("\"str\\\"ing\"", new String(in.captureValue(), StandardCharsets.UTF_8));
      in.nextName();
      assertEquals("12", new String(in.captureValue(), StandardCharsets.UTF_8));
      assertEquals("after", in.nextName());
      assertEquals(1, in.nextLong());
      in.endObject();
    }
  }

  @Test
  void malformedInputIsAnErrorNamingWhere() {
    for (String bad : List.of("{\"a\" 1}", "{\"a\":1,}", "[1 2]", "{\"a\":\"unterminated", "{\"a\":tru}", "{\"a\":\"\\x\"}",
        "{\"a\":\"\\ud83d\"}", "{a:1}", "{\"a\":1}}", "{\"a\":\"tab\there\"}", "{\"a\":[1,2")) {
      IOException e = assertThrows(IOException.class, () -> dump(Utf8JsonReader.of(bad)), bad);
      assertTrue(e.getMessage().contains("byte"), e.getMessage());
    }
  }

  /**
   * The document as Utf8JsonReader reads it, built into a Gson tree and written out: compared
   * with Gson's own parse of the same text written out the same way, every value, key and key
   * order must agree (numbers keep their text on both sides).
   */
  private static String dump(Utf8JsonReader in) throws IOException {
    JsonElement tree = tree(in);
    assertEquals(Token.END, in.peek());
    return tree.toString();
  }

  private static JsonElement tree(Utf8JsonReader in) throws IOException {
    switch (in.peek()) {
      case BEGIN_OBJECT -> {
        JsonObject o = new JsonObject();
        in.beginObject();
        while (in.hasNext()) {
          String name = in.nextName();
          o.add(name, tree(in));
        }
        in.endObject();
        return o;
      }
      case BEGIN_ARRAY -> {
        JsonArray a = new JsonArray();
        in.beginArray();
        while (in.hasNext()) {
          a.add(tree(in));
        }
        in.endArray();
        return a;
      }
      case STRING -> {
        return new JsonPrimitive(in.nextString());
      }
      case NUMBER -> {
        return new JsonPrimitive(new LazilyParsedNumber(in.nextString()));
      }
      case BOOLEAN -> {
        return new JsonPrimitive(in.nextBoolean());
      }
      case NULL -> {
        in.nextNull();
        return JsonNull.INSTANCE;
      }
      default -> throw new IllegalStateException("unexpected " + in.peek());
    }
  }

  private static String dumpGson(String json) {
    return JsonParser.parseString(json).toString();
  }

  /** A stream that hands out at most {@code chunk} bytes a read, as a network may. */
  private static InputStream chunked(String text, int chunk) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }
}
