package io.nexslice.dynamicslicing.smf;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The three routes of a free5GC SMF's topology API, over the JDK's HTTP client. No retries here:
 * the work queue's backoff retries, so a slow SMF never holds a worker for long.
 */
public final class Free5gcSmfClient {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private final URI base;
  private final HttpClient http;

  /** @param base the SMF's SBI base URL, http(s)://host:port */
  public Free5gcSmfClient(URI base) {
    this.base = base;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /** An SMF's answer: HTTP status and body. */
  public record Answer(int status, String body) {
    boolean ok() {
      return status / 100 == 2;
    }

    /** For events and logs: the status and the body, shortened. */
    public String text() {
      String b = body.strip();
      return "HTTP " + status + (b.isEmpty() ? "" : " " + (b.length() > 200 ? b.substring(0, 200) + "..." : b));
    }
  }

  public Answer list() throws IOException {
    return send(HttpRequest.newBuilder(uri("/upi/v1/upNodesLinks")).GET());
  }

  public Answer add(String body) throws IOException {
    return send(HttpRequest.newBuilder(uri("/upi/v1/upNodesLinks"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public Answer delete(String nodeName) throws IOException {
    return send(HttpRequest.newBuilder(uri("/upi/v1/upNodesLinks/"
        + URLEncoder.encode(nodeName, StandardCharsets.UTF_8))).DELETE());
  }

  public URI base() {
    return base;
  }

  private URI uri(String path) {
    String b = base.toString();
    return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path);
  }

  private Answer send(HttpRequest.Builder request) throws IOException {
    try {
      HttpResponse<String> r = http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body() == null ? "" : r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
