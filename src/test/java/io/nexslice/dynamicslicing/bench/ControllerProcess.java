package io.nexslice.dynamicslicing.bench;

import io.nexslice.dynamicslicing.testing.MetricsText;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The controller as users run it, `java -jar target/dynamic-slicing.jar`, in a process of its own. */
public final class ControllerProcess implements AutoCloseable {
  public final Process process;
  final int port;
  private final Path log;
  final long startedNanos;
  private final Optional<ResourceLimit> limit;
  private final HttpClient http = HttpClient.newHttpClient();

  public ControllerProcess(Path jar, List<String> jvmOptions, Map<String, String> env, int port, Path log) throws IOException {
    this(javaJar(jar, jvmOptions), env, port, log, Optional.empty());
  }

  /** {@code java <jvmOptions> -jar <jar>}, with the JVM running this one. */
  static List<String> javaJar(Path jar, List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString()));
    return cmd;
  }

  /**
   * @param command how to start it: {@link #javaJar}, or scripts/run.sh as a user starts it
   * @param limit cgroups to start the process in (the Deployment's CPU and memory limits), closed with it
   */
  ControllerProcess(List<String> command, Map<String, String> env, int port, Path log,
      Optional<ResourceLimit> limit) throws IOException {
    List<String> cmd = limit.isPresent() ? limit.get().wrap(command) : command;
    this.limit = limit;
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("KUBERNETES_SERVICE_HOST");
    pb.environment().putAll(env);
    pb.environment().put("HTTP_PORT", Integer.toString(port));
    this.port = port;
    this.log = log;
    this.startedNanos = System.nanoTime();
    this.process = pb.start();
  }

  public String get(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Nanos from process start until {@code path} answers 200, polling every 5 ms. */
  public long awaitOk(String path, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("controller exited with " + process.exitValue());
      }
      if (get(path) != null) {
        return System.nanoTime() - startedNanos;
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException(path + " did not answer within " + timeout);
  }

  /**
   * Nanos from process start until a line containing {@code fragment} is in the controller's
   * log, looked for every 2 ms: reading a file takes nothing from the controller, where
   * scraping /metrics computes every gauge over all the UEs.
   */
  public long awaitLogLine(String fragment, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long read = 0;
    StringBuilder tail = new StringBuilder();
    while (System.nanoTime() < deadline) {
      try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
        if (f.length() > read) {
          byte[] more = new byte[(int) (f.length() - read)];
          f.seek(read);
          f.readFully(more);
          read += more.length;
          tail.append(new String(more, StandardCharsets.UTF_8));
          if (tail.indexOf(fragment) >= 0) {
            return System.nanoTime() - startedNanos;
          }
          tail.delete(0, Math.max(0, tail.lastIndexOf("\n")));
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("controller exited with " + process.exitValue());
      }
      Thread.sleep(2);
    }
    throw new IllegalStateException("no log line with '" + fragment + "' within " + timeout);
  }

  /**
   * Sum of a metric's samples with {@code labels} in the controller's /metrics (0 before a
   * labelled counter's first increment). Fails loudly when /metrics cannot be read or has no such
   * metric: a NaN or a 0 there would pass "after <= before + x" checks.
   */
  public double metric(String name, Map<String, String> labels) {
    String text = get("/metrics");
    if (text == null) {
      throw new IllegalStateException("cannot read the controller's /metrics (port " + port + ")");
    }
    return MetricsText.sum(text, name, labels);
  }

  public long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /**
   * The bytes of the objects alive in the controller's heap: the total of {@code jcmd
   * GC.class_histogram}, which runs a full GC and counts only what it keeps. Unlike
   * {@link #heapAfterGc()}, nothing allocated after the collection (the /metrics scrape that
   * reads the heap, the process's own work meanwhile) is counted.
   */
  public long liveHeapBytes() throws IOException, InterruptedException {
    List<String> lines = jcmd("GC.class_histogram");
    return lines.stream().map(String::trim).filter(l -> l.startsWith("Total "))
        .mapToLong(l -> Long.parseLong(l.split("\\s+")[2])).findFirst()
        .orElseThrow(() -> new IOException("no Total line in GC.class_histogram: " + lines));
  }

  /** The output lines of a jcmd command run in the controller's JVM (e.g. GC.class_histogram). */
  public List<String> jcmd(String command) throws IOException, InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p = new ProcessBuilder(jcmd, Long.toString(process.pid()), command).redirectErrorStream(true).start();
    List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    p.waitFor(60, TimeUnit.SECONDS);
    return lines;
  }

  /** Runs a full GC in the controller (jcmd) and returns the heap used after it, in bytes. */
  public long heapAfterGc() throws IOException, InterruptedException {
    jcmd("GC.run");
    double used = metric("jvm_memory_bytes_used", Map.of("area", "heap"));
    return (long) used;
  }

  /** Live threads of the process (/proc). */
  public int threads() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("Threads:")) {
        return Integer.parseInt(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  /** CPU seconds the process has used (user + system, /proc/pid/stat, 100 ticks a second). */
  public double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  /** kill -9: no shutdown hook, no lease given up. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(15, TimeUnit.SECONDS);
    }
    limit.ifPresent(ResourceLimit::close);
  }
}
