package io.nexslice.dynamicslicing.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy between a controller and the API server, for fault injection: it passes
 * bytes through, delays them, or cuts every connection and refuses new ones. TLS passes through
 * untouched (the API server's certificate names 127.0.0.1).
 */
final class FlakyProxy implements AutoCloseable {
  enum Mode { PASS, DELAY, CUT }

  private final ServerSocket server;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile Mode mode = Mode.PASS;
  private volatile int delayMs;

  FlakyProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "flaky-proxy");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far, cut or not: a client in a busy loop shows here. */
  int accepted() {
    return accepted.get();
  }

  void pass() {
    mode = Mode.PASS;
  }

  void delay(int ms) {
    delayMs = ms;
    mode = Mode.DELAY;
  }

  /** Closes every open connection and refuses new ones until pass() or delay(). */
  void cut() {
    mode = Mode.CUT;
    open.forEach(FlakyProxy::closeQuietly);
    open.clear();
  }

  /** A copy of {@code kubeconfig} whose server is this proxy. */
  Path kubeconfigThrough(Path kubeconfig) throws IOException {
    String text = Files.readString(kubeconfig).replaceAll("server: https://127\\.0\\.0\\.1:\\d+",
        "server: https://127.0.0.1:" + port());
    Path out = Files.createTempFile("ds-proxied", ".kubeconfig");
    Files.writeString(out, text);
    return out;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        accepted.incrementAndGet();
        if (mode == Mode.CUT) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        // closed, or the upstream refused: the client sees a dropped connection
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (mode == Mode.DELAY) {
            Thread.sleep(delayMs);
          }
          if (mode == Mode.CUT) {
            break;
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // connection ended
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }, "flaky-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    open.forEach(FlakyProxy::closeQuietly);
  }
}
