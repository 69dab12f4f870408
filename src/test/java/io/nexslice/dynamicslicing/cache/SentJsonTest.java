package io.nexslice.dynamicslicing.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A value is taken as the bytes the API server sent, however the response arrives. */
class SentJsonTest {
  private final CacheDecoder decoder = new CacheDecoder();

  @Test
  void aTakenValueIsTheBytesAsSent() throws IOException {
    String spec = "{\"x\":[{\"y\":\"}]\\\"{[ é \\u003c\"},[],{}],\"e\":\"\",\"n\":-1.5e3,\"t\":true}";
    String doc = "{\"metadata\":{\"name\":\"a\"},\"spec\":" + spec + ",\"s\":\"str\\\"ing\",\"k\":12,\"after\":1}";
    for (int chunk : List.of(1, 5, 100_000)) {
      try (SentJson in = decoder.open(chunked(doc, chunk))) {
        JsonParser p = in.parser();
        assertEquals("metadata", JsonSteps.nextField(p));
        p.skipChildren();
        assertEquals("spec", JsonSteps.nextField(p));
        assertEquals(spec, taken(in), "chunks of " + chunk);
        assertEquals("s", JsonSteps.nextField(p));
        assertEquals("\"str\\\"ing\"", taken(in));
        assertEquals("k", JsonSteps.nextField(p));
        assertEquals("12", taken(in));
        assertEquals("after", JsonSteps.nextField(p));
        assertEquals(1, JsonSteps.wholeNumber(p));
        assertEquals(JsonToken.END_OBJECT, p.nextToken());
      }
    }
  }

  @Test
  void valuesAreTakenWholeAcrossAListLongerThanTheTrail() throws IOException {
    List<String> specs = new ArrayList<>();
    StringBuilder sb = new StringBuilder("{\"items\":[");
    for (int i = 0; i < 3000; i++) {
      // Every 1000th spec is larger than the trail keeps when nothing is held.
      String filler = i % 1000 == 999 ? "x".repeat(3 * ByteTrail.BEHIND) : "é\\\"}" + i;
      String spec = "{\"n\":" + i + ",\"note\":\"" + filler + "\",\"deep\":[\"]\",{\"k\":\"\\\\\"}]}";
      specs.add(spec);
      sb.append(i == 0 ? "" : ",").append("{\"skip\":{\"a\":[1,2,{\"b\":\"c\"}]},\"spec\":").append(spec).append('}');
    }
    String doc = sb.append("]}").toString();
    assertTrue(doc.length() > 4 * ByteTrail.BEHIND);
    for (int chunk : List.of(7, 4093, Integer.MAX_VALUE)) {
      List<String> taken = new ArrayList<>();
      try (SentJson in = decoder.open(chunked(doc, chunk))) {
        JsonParser p = in.parser();
        assertEquals("items", JsonSteps.nextField(p));
        while (p.nextToken() != JsonToken.END_ARRAY) {
          String field;
          while ((field = JsonSteps.nextField(p)) != null) {
            if (field.equals("spec")) {
              taken.add(taken(in));
            } else {
              p.skipChildren();
            }
          }
        }
      }
      assertEquals(specs, taken, "chunks of " + chunk);
    }
  }

  @Test
  void malformedInputIsAnError() {
    for (String bad : List.of("{\"metadata\" 1}", "{\"metadata\":{},}", "{\"spec\":[1 2]}", "{\"metadata\":{\"name\":\"a",
        "{\"a\":tru}", "{\"metadata\":{\"name\":\"\\x\"}}", "{metadata:{}}", "{\"metadata\":{\"name\":\"tab\there\"}}",
        "{\"metadata\":{\"labels\":{\"a\":true}}}", "{\"metadata\":{\"generation\":1.5}}", "[]", "")) {
      assertThrows(IOException.class, () -> decoder.read(decoder::pod, bad), bad);
    }
  }

  private static String taken(SentJson in) throws IOException {
    return new String(in.takeValue(), StandardCharsets.UTF_8);
  }

  /** The text as a response that arrives {@code chunk} bytes at a time. */
  private static InputStream chunked(String text, int chunk) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }
}
