package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.util.PatchUtils;
import io.nexslice.dynamicslicing.testing.MetricsText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What integration tests do all the time, on the real API server: namespaces, UE pods, playing
 * the kubelet (pod status through the status subresource), reading what the controller made.
 */
public final class Kube {
  public static final String UE_LABEL = "nexslice.io/dynamic-upf";
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final TestCluster cluster;
  public final ApiClient client;
  public final CoreV1Api core;
  public final AppsV1Api apps;

  Kube(TestCluster cluster) {
    this.cluster = cluster;
    this.client = cluster.client();
    this.core = new CoreV1Api(client);
    this.apps = new AppsV1Api(client);
  }

  public TestCluster cluster() {
    return cluster;
  }

  /** A fresh namespace with a unique name; its default ServiceAccount exists on return. */
  public String createNamespace(String prefix) throws ApiException {
    String name = prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(name))).execute();
    if (cluster.hasControllerManager()) {
      // Pods are refused (500 "No API token found for service account") until the token
      // controller has given the default service account its token secret, a moment after the
      // account itself appears: wait for the secret, not only the account.
      await().atMost(TIMEOUT).ignoreExceptions().until(() -> {
        V1ServiceAccount sa = core.readNamespacedServiceAccount("default", name).execute();
        return sa.getSecrets() != null && !sa.getSecrets().isEmpty();
      });
    }
    return name;
  }

  /**
   * Starts a garbage collector on the local control plane (which runs none, see TestCluster), for
   * tests of what it does; returns a handle that stops it. Other backends always collect.
   */
  public AutoCloseable startGarbageCollector() throws Exception {
    if (cluster.garbageCollects()) {
      return () -> {};
    }
    Path dir = cluster.localDir().orElseThrow();
    Path script = ClusterBackends.projectRoot().resolve("scripts/local-cluster.sh");
    run(List.of("bash", script.toString(), "gc-start", "--dir", dir.toString()));
    return () -> run(List.of("bash", script.toString(), "gc-stop", "--dir", dir.toString()));
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
  }

  /** Deletes the namespace without waiting for it to go. */
  public void deleteNamespace(String name) {
    try {
      core.deleteNamespace(name).buildCall(null).execute().close();
    } catch (Exception ignored) {
      // best effort: the cluster is thrown away at the end of the run anyway
    }
  }

  /** A UE pod labelled for opt-in (unless {@code labels} says otherwise); not Ready until told. */
  public V1Pod createUePod(String ns, String name) throws ApiException {
    return createPod(ns, name, Map.of(UE_LABEL, "true"), Map.of());
  }

  public V1Pod createPod(String ns, String name, Map<String, String> labels, Map<String, String> annotations)
      throws ApiException {
    V1PodSpec spec = new V1PodSpec().containers(List.of(new V1Container().name("ue").image("ueransim:local")));
    spec.setOverhead(null);
    V1Pod pod = new V1Pod().metadata(new V1ObjectMeta().name(name).namespace(ns)
            .labels(new HashMap<>(labels)).annotations(new HashMap<>(annotations)))
        .spec(spec);
    return core.createNamespacedPod(ns, pod).execute();
  }

  /** Plays the kubelet: writes phase Running and the Ready condition through the status subresource. */
  public void setReady(String ns, String name, boolean ready) throws ApiException {
    setReady(ns, name, ready, OffsetDateTime.now());
  }

  /** As {@link #setReady(String, String, boolean)}, with the conditions' lastTransitionTime given. */
  public void setReady(String ns, String name, boolean ready, OffsetDateTime transition) throws ApiException {
    String now = transition.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String status = ready ? "True" : "False";
    String patch = """
        {"status":{"phase":"Running","conditions":[
          {"type":"Ready","status":"%s","lastTransitionTime":"%s"},
          {"type":"ContainersReady","status":"%s","lastTransitionTime":"%s"}]}}"""
        .formatted(status, now, status, now);
    PatchUtils.patch(V1Pod.class,
        () -> core.patchNamespacedPodStatus(name, ns, new V1Patch(patch)).buildCall(null),
        V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
  }

  public V1Pod createReadyUe(String ns, String name) throws ApiException {
    V1Pod pod = createUePod(ns, name);
    setReady(ns, name, true);
    return pod;
  }

  public void labelPod(String ns, String name, String key, String valueOrNull) throws ApiException {
    String value = valueOrNull == null ? "null" : "\"" + valueOrNull + "\"";
    PatchUtils.patch(V1Pod.class,
        () -> core.patchNamespacedPod(name, ns, new V1Patch("{\"metadata\":{\"labels\":{\"" + key + "\":" + value + "}}}"))
            .buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
  }

  public void deletePod(String ns, String name) throws ApiException {
    core.deleteNamespacedPod(name, ns).gracePeriodSeconds(0).execute();
  }

  /** Deletes a Service without parsing the answer (a 1.20 server returns a Status the client cannot read). */
  public void deleteService(String ns, String name) throws ApiException {
    client.execute(core.deleteNamespacedService(name, ns).buildCall(null));
  }

  public V1Deployment deployment(String ns, String name) throws ApiException {
    try {
      return apps.readNamespacedDeployment(name, ns).execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  public V1Service service(String ns, String name) throws ApiException {
    try {
      return core.readNamespacedService(name, ns).execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  public List<V1Deployment> deployments(String ns) throws ApiException {
    return apps.listNamespacedDeployment(ns).execute().getItems();
  }

  public List<V1Service> services(String ns) throws ApiException {
    return core.listNamespacedService(ns).execute().getItems();
  }

  public List<V1Pod> pods(String ns, String labelSelector) throws ApiException {
    return core.listNamespacedPod(ns).labelSelector(labelSelector).execute().getItems();
  }

  /**
   * The field managers of an object as "manager/operation". Read from the raw answer: client-java
   * 22 and later drop managedFields when they deserialise (kubernetes-client/java#3995).
   */
  public List<String> managers(okhttp3.Call get) throws IOException {
    try (okhttp3.Response r = get.execute()) {
      var meta = com.google.gson.JsonParser.parseString(r.body().string()).getAsJsonObject().getAsJsonObject("metadata");
      List<String> out = new ArrayList<>();
      if (meta.has("managedFields")) {
        meta.getAsJsonArray("managedFields").forEach(e -> out.add(
            e.getAsJsonObject().get("manager").getAsString() + "/" + e.getAsJsonObject().get("operation").getAsString()));
      }
      return out;
    }
  }

  public List<String> deploymentManagers(String ns, String name) throws Exception {
    return managers(apps.readNamespacedDeployment(name, ns).buildCall(null));
  }

  public List<String> serviceManagers(String ns, String name) throws Exception {
    return managers(core.readNamespacedService(name, ns).buildCall(null));
  }

  /**
   * Server-side applies the API server has answered so far (apiserver_request_total, verb APPLY).
   * Only dynamic-slicing applies in these tests, so a delta over a window is its writes, no-ops
   * included: a no-op apply does not change resourceVersion, so RVs cannot show it.
   */
  public double applyRequests() throws Exception {
    return apiserverRequests("APPLY", null);
  }

  /**
   * Requests the API server has answered so far (apiserver_request_total) with {@code verb}, on
   * {@code resource} itself (no subresource) when it is given, on anything when it is null.
   */
  public double apiserverRequests(String verb, String resource) throws Exception {
    return apiserverMetric("apiserver_request_total", resource == null ? Map.of("verb", verb)
        : Map.of("verb", verb, "resource", resource, "subresource", ""));
  }

  /**
   * Lists the API server has read from etcd for {@code type} (e.g. "*[]core.Pod"): a list at
   * resourceVersion "" (a consistent read) is one; lists at "0" or at a recent resourceVersion are
   * answered from the watch cache and are not.
   */
  public double etcdLists(String type) throws Exception {
    return apiserverMetric("etcd_request_duration_seconds_count", Map.of("operation", "list", "type", type));
  }

  /** The sum of the API server's samples of {@code name} with {@code labels}. */
  private double apiserverMetric(String name, Map<String, String> labels) throws Exception {
    okhttp3.Call call = client.buildCall(client.getBasePath(), "/metrics", "GET", List.of(), List.of(), null,
        new HashMap<>(), new HashMap<>(), new HashMap<>(), new String[] {"BearerToken"}, null);
    try (okhttp3.Response r = call.execute()) {
      if (!r.isSuccessful() || r.body() == null) {
        throw new IllegalStateException("cannot read " + name + " from the API server's /metrics: HTTP " + r.code());
      }
      return MetricsText.sum(r.body().string(), name, labels);
    }
  }

  /** Events about the object named {@code name} in {@code ns}. */
  public List<CoreV1Event> events(String ns, String name) throws ApiException {
    return core.listNamespacedEvent(ns).fieldSelector("involvedObject.name=" + name).execute().getItems();
  }

  public boolean hasEvent(String ns, String name, String type, String reason) throws ApiException {
    return events(ns, name).stream().anyMatch(e -> type.equals(e.getType()) && reason.equals(e.getReason()));
  }

  /** Waits until both UPF objects exist; returns the Deployment. */
  public V1Deployment awaitUpf(String ns, String upfName) {
    await().atMost(TIMEOUT).ignoreExceptions()
        .until(() -> deployment(ns, upfName) != null && service(ns, upfName) != null);
    try {
      return deployment(ns, upfName);
    } catch (ApiException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until neither UPF object exists. */
  public void awaitNoUpf(String ns, String upfName) {
    await().atMost(TIMEOUT).ignoreExceptions()
        .until(() -> deployment(ns, upfName) == null && service(ns, upfName) == null);
  }
}
