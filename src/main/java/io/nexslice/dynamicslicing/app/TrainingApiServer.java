package io.nexslice.dynamicslicing.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A stand-in API server for the class-data training run only: HTTPS on the loopback address with
 * a certificate made on the spot, answering a GET with the canned body of the first path
 * fragment it contains, a watch with a stream that stays open and silent, and any other method
 * with the request's own body (what a server-side apply returns, near enough).
 *
 * <p>Why: a start-up spends its first second in the TLS handshake, the kubeconfig parser and the
 * HTTP client's connection code, ~1 300 classes that a training run with no connection never
 * loads, so they were left out of the archive and loaded and verified one by one at every start
 * (docs/BENCHMARKS.md, P5). Talking to this server the way the controller talks to a cluster
 * puts them in the archive.
 */
final class TrainingApiServer implements AutoCloseable {
  private static final char[] NO_PASSWORD = new char[0];
  private final HttpsServer server;
  private final X509Certificate certificate;
  private final Map<String, String> answers;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "training-api-server");
    t.setDaemon(true);
    return t;
  });
  /** Applies (PATCH) and events (POST) received. */
  private final CountDownLatch writes = new CountDownLatch(4);
  private volatile boolean closed;

  /**
   * @param keyAlgorithm "RSA" or "EC": clusters use either (kubeadm RSA, k3s EC), and each
   *     loads classes of its own
   * @param answers GET bodies by a fragment of the path, such as "/pods"
   */
  TrainingApiServer(String keyAlgorithm, Map<String, String> answers) throws Exception {
    this.answers = answers;
    KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm);
    generator.initialize(keyAlgorithm.equals("RSA") ? 2048 : 256);
    KeyPair keys = generator.generateKeyPair();
    X500Name name = new X500Name("CN=dynamic-slicing-training");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), name, keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    String signature = keyAlgorithm.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    this.certificate = new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(signature).build(keys.getPrivate())));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", keys.getPrivate(), NO_PASSWORD, new Certificate[] {certificate});
    KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    managers.init(store, NO_PASSWORD);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(managers.getKeyManagers(), null, null);
    this.server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(threads);
    server.createContext("/", this::answer);
    server.start();
  }

  private void answer(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    String query = exchange.getRequestURI().getRawQuery();
    if (exchange.getRequestMethod().equals("GET") && query != null && query.contains("watch=true")) {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, 0);
      while (!closed) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      exchange.close();
      return;
    }
    if (exchange.getRequestMethod().equals("GET")) {
      String path = exchange.getRequestURI().getPath();
      body = answers.entrySet().stream().filter(e -> path.contains(e.getKey())).findFirst()
          .map(e -> e.getValue().getBytes(StandardCharsets.UTF_8)).orElse("{}".getBytes(StandardCharsets.UTF_8));
    }
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
    if (!exchange.getRequestMethod().equals("GET")) {
      writes.countDown();
    }
  }

  /** True once the three applies and the event of one UE's UPF have come in. */
  boolean awaitWrites(Duration limit) throws InterruptedException {
    return writes.await(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A kubeconfig for this server (CA data inline, a token), written in {@code dir}. */
  Path kubeconfig(Path dir) throws Exception {
    String ca = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(certificate.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
    Path file = dir.resolve("kubeconfig");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: training
          cluster:
            server: https://127.0.0.1:%d
            certificate-authority-data: %s
        users:
        - name: training
          user:
            token: training
        contexts:
        - name: training
          context: {cluster: training, user: training, namespace: training}
        current-context: training
        """.formatted(server.getAddress().getPort(),
        Base64.getEncoder().encodeToString(ca.getBytes(StandardCharsets.US_ASCII))));
    return file;
  }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
    threads.shutdownNow();
  }
}
