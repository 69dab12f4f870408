package io.nexslice.dynamicslicing.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The JDK's HTTP server with the controller's endpoints: /healthz (the process answers) and
 * /readyz (caches synced, on the leader and on a standby alike). DynamicSlicingApp registers
 * /metrics and /api/* on it.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  public HealthServer(int port, BooleanSupplier ready) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "http");
      t.setDaemon(true);
      return t;
    }));
    handle("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
    handle("/readyz", ex -> {
      boolean ok = ready.getAsBoolean();
      respond(ex, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "caches not synced\n");
    });
  }

  public void handle(String path, HttpHandler handler) {
    server.createContext(path, ex -> {
      try (ex) {
        if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
          respond(ex, 405, "text/plain", "only GET\n");
          return;
        }
        handler.handle(ex);
      }
    });
  }

  public static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
