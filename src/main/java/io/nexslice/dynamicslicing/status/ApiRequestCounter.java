package io.nexslice.dynamicslicing.status;

import io.kubernetes.client.apimachinery.KubernetesRequestDigest;
import io.kubernetes.client.apimachinery.KubernetesResource;
import io.kubernetes.client.apimachinery.KubernetesVerb;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Counts this process's own requests to the API server by verb (GET, LIST, WATCH, APPLY, ...)
 * and resource. The API server's apiserver_request_total cannot tell clients apart; this can,
 * so "no reads outside watches" and "no writes after a restart" are checkable from /metrics.
 */
public final class ApiRequestCounter implements Interceptor {
  /** One per process: every client the controller builds reports here. */
  public static final ApiRequestCounter INSTANCE = new ApiRequestCounter();

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request r = chain.request();
    counts.computeIfAbsent(key(r), k -> new LongAdder()).increment();
    return chain.proceed(r);
  }

  /** "VERB resource" -> count, sorted. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /**
   * "VERB resource[/subresource]", parsed by client-java's KubernetesRequestDigest. Writes keep
   * their HTTP names (POST, PUT, PATCH, DELETE) and a server-side apply is APPLY, as the metric
   * and docs/BENCHMARKS.md (P4) name them.
   */
  static String key(Request r) {
    KubernetesRequestDigest digest;
    try {
      digest = KubernetesRequestDigest.parse(r);
    } catch (RuntimeException e) {
      return r.method() + " other"; // a method the digest has no verb for (HEAD, OPTIONS): counted, never failed
    }
    if (digest.isNonResourceRequest()) {
      return r.method() + " other";
    }
    KubernetesResource meta = digest.getResourceMeta();
    String resource = meta.getGroupVersionResource().getResource()
        + (meta.getSubResource() == null || meta.getSubResource().isEmpty() ? "" : "/" + meta.getSubResource());
    return verb(digest.getVerb(), r) + " " + resource;
  }

  private static String verb(KubernetesVerb verb, Request r) {
    return switch (verb) {
      case GET, LIST, WATCH -> verb.name();
      case PATCH -> r.body() != null && r.body().contentType() != null
          && r.body().contentType().toString().startsWith("application/apply-patch") ? "APPLY" : "PATCH";
      default -> r.method();
    };
  }
}
