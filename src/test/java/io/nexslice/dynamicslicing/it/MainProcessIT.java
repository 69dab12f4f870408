package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The packaged jar, run as users run it: `java -jar target/dynamic-slicing.jar`. */
@ExtendWith(ClusterExtension.class)
class MainProcessIT {
  static final Path JAR = ClusterBackends.projectRoot().resolve("target/dynamic-slicing.jar");

  static Process launch(Map<String, String> env, Path log) throws Exception {
    return launch(List.of(), List.of(), env, log);
  }

  static Process launch(List<String> jvmOptions, List<String> args, Map<String, String> env, Path log) throws Exception {
    assertTrue(Files.exists(JAR), "run through 'mvn verify' so the jar is packaged first");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", JAR.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("KUBERNETES_SERVICE_HOST");
    pb.environment().putAll(env);
    return pb.start();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aBadVariableStopsTheProcessWithAMessageNamingIt() throws Exception {
    Path log = Files.createTempFile("ds-main", ".log");
    Process p = launch(Map.of("UPF_REPLICAS", "lots"), log);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue());
    assertTrue(Files.readString(log).contains("UPF_REPLICAS: 'lots' is not a whole number"), Files.readString(log));
  }

  @Test
  void theClassDataArchiveIsMadeWithoutAClusterAndTheControllerRunsOnIt(Kube kube) throws Exception {
    // As the Dockerfile makes it: a training run with no cluster at all.
    Path archive = Files.createTempDirectory("ds-cds").resolve("dynamic-slicing.jsa");
    Path trainingLog = Files.createTempFile("ds-cds-training", ".log");
    List<String> jvm = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    Process trainingRun = launch(concat(jvm, List.of("-XX:ArchiveClassesAtExit=" + archive)),
        List.of("--train-class-data-sharing"), Map.of(), trainingLog);
    assertTrue(trainingRun.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, trainingRun.exitValue(), Files.readString(trainingLog));
    assertTrue(Files.size(archive) > 1_000_000, "archive written");
    // It started the controller against a socket that hangs up, and every connection it waited
    // for was tried (no "Class-data training:" warning): the client's classes are in the archive.
    String training = Files.readString(trainingLog);
    assertTrue(training.contains("Class-data sharing training done"), training);
    assertFalse(training.contains("Class-data training:"), training);

    // -Xshare:on makes an archive the JVM cannot map a start-up failure instead of a warning.
    String ns = kube.createNamespace("cds");
    Path log = Files.createTempFile("ds-cds", ".log");
    Process p = launch(concat(jvm, List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive)), List.of(),
        Map.of("KUBECONFIG", kube.cluster().kubeconfig().toString(), "WATCH_NAMESPACES", ns,
            "HTTP_PORT", Integer.toString(freePort())), log);
    try {
      kube.createReadyUe(ns, "ue-cds");
      kube.awaitUpf(ns, "upf-ue-cds");
      assertTrue(p.isAlive(), Files.readString(log));
    } finally {
      p.destroyForcibly();
      kube.deleteNamespace(ns);
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }

  @Test
  void jsonLogsAreOneObjectPerLineWithTheUeKey(Kube kube) throws Exception {
    String ns = kube.createNamespace("json-logs");
    Path log = Files.createTempFile("ds-json", ".log");
    Process p = launch(Map.of("KUBECONFIG", kube.cluster().kubeconfig().toString(), "WATCH_NAMESPACES", ns,
        "HTTP_PORT", Integer.toString(freePort()), "LOG_FORMAT", "json"), log);
    try {
      kube.createReadyUe(ns, "ue-json");
      kube.awaitUpf(ns, "upf-ue-json");
      await().atMost(Kube.TIMEOUT).until(() -> Files.readString(log).contains("Created UPF"));
      p.destroy();
      assertTrue(p.waitFor(10, TimeUnit.SECONDS));
      List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
      assertTrue(lines.size() >= 3, lines::toString);
      boolean sawUe = false;
      for (String line : lines) {
        var o = com.google.gson.JsonParser.parseString(line).getAsJsonObject(); // throws if not JSON
        assertTrue(o.has("level") && o.has("formattedMessage"), line);
        if (o.get("formattedMessage").getAsString().startsWith("Created UPF")) {
          assertEquals(ns + "/ue-json", o.getAsJsonObject("mdc").get("ue").getAsString());
          sawUe = true;
        }
      }
      assertTrue(sawUe, lines::toString);
    } finally {
      p.destroyForcibly();
      kube.deleteNamespace(ns);
    }
  }

  @Test
  void theJarServesUesAndStopsPromptlyOnSigterm(Kube kube) throws Exception {
    String ns = kube.createNamespace("main");
    int port = freePort();
    Path log = Files.createTempFile("ds-main", ".log");
    Process p = launch(Map.of("KUBECONFIG", kube.cluster().kubeconfig().toString(), "WATCH_NAMESPACES", ns,
        "HTTP_PORT", Integer.toString(port)), log);
    try {
      HttpClient http = HttpClient.newHttpClient();
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());

      kube.createReadyUe(ns, "ue-jar");
      kube.awaitUpf(ns, "upf-ue-jar");

      long start = System.nanoTime();
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(10, TimeUnit.SECONDS), "stopped within 10 s of SIGTERM");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      String out = Files.readString(log);
      assertTrue(out.contains("Stopped UPF controller"), out);
      assertTrue(millis < 10_000, "took " + millis + " ms");
    } finally {
      p.destroyForcibly();
      kube.deleteNamespace(ns);
    }
  }
}
