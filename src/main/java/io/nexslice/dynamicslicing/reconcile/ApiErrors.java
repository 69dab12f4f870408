package io.nexslice.dynamicslicing.reconcile;

import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.ApiException;

/** Short, readable messages from API errors (the server's Status message, not the whole body). */
public final class ApiErrors {
  private ApiErrors() {}

  public static String message(ApiException e) {
    String body = e.getResponseBody();
    if (body != null && !body.isBlank()) {
      try {
        var o = JsonParser.parseString(body).getAsJsonObject();
        if (o.has("message")) {
          return o.get("message").getAsString();
        }
      } catch (RuntimeException ignored) {
        // not a Status object; fall through to the raw text
      }
      return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
