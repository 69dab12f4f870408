package io.nexslice.dynamicslicing.runtime;

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
    counts.computeIfAbsent(verb(r) + " " + resource(r.url().pathSegments()), k -> new LongAdder()).increment();
    return chain.proceed(r);
  }

  /** "VERB resource" -> count, sorted. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  static String verb(Request r) {
    String method = r.method();
    if (method.equals("GET")) {
      if ("true".equals(r.url().queryParameter("watch"))) {
        return "WATCH";
      }
      return isCollection(r.url().pathSegments()) ? "LIST" : "GET";
    }
    if (method.equals("PATCH") && r.body() != null && r.body().contentType() != null
        && r.body().contentType().toString().startsWith("application/apply-patch")) {
      return "APPLY";
    }
    return method;
  }

  /** The resource of a path such as /apis/apps/v1/namespaces/ns/deployments/name[/status]. */
  static String resource(java.util.List<String> s) {
    int i = s.indexOf("namespaces");
    int base = s.size() > 0 && s.get(0).equals("api") ? 2 : 3; // /api/v1/... or /apis/group/version/...
    int at = (i >= 0 && i + 2 < s.size()) ? i + 2 : base;
    if (at >= s.size()) {
      return i >= 0 ? "namespaces" : "other";
    }
    String resource = s.get(at);
    return at + 2 < s.size() ? resource + "/" + s.get(at + 2) : resource;
  }

  private static boolean isCollection(java.util.List<String> s) {
    int i = s.indexOf("namespaces");
    int base = s.size() > 0 && s.get(0).equals("api") ? 2 : 3;
    int at = (i >= 0 && i + 2 < s.size()) ? i + 2 : base;
    return at == s.size() - 1;
  }
}
