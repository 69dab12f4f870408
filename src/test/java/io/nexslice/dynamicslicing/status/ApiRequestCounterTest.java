package io.nexslice.dynamicslicing.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;

/** The "VERB resource" keys of dynamic_slicing_api_requests_total, as P4 and the tests read them. */
class ApiRequestCounterTest {
  private static final String API = "https://127.0.0.1:6443";

  private static Request get(String path) {
    return new Request.Builder().url(API + path).get().build();
  }

  private static Request with(String method, String path, String contentType) {
    return new Request.Builder().url(API + path).method(method, RequestBody.create("{}", MediaType.get(contentType))).build();
  }

  @Test
  void readsAreGetListOrWatch() {
    assertEquals("GET pods", ApiRequestCounter.key(get("/api/v1/namespaces/ns/pods/ue-1")));
    assertEquals("LIST pods", ApiRequestCounter.key(get("/api/v1/namespaces/ns/pods?labelSelector=a%3Db")));
    assertEquals("WATCH deployments", ApiRequestCounter.key(get("/apis/apps/v1/namespaces/ns/deployments?watch=true")));
    assertEquals("LIST deployments", ApiRequestCounter.key(get("/apis/apps/v1/deployments")));
  }

  @Test
  void writesKeepTheirHttpNamesAndServerSideApplyIsApply() {
    assertEquals("APPLY configmaps", ApiRequestCounter.key(with("PATCH", "/api/v1/namespaces/ns/configmaps/upf-ue-1?fieldManager=x",
        "application/apply-patch+yaml")));
    assertEquals("PATCH pods", ApiRequestCounter.key(with("PATCH", "/api/v1/namespaces/ns/pods/ue-1",
        "application/merge-patch+json")));
    assertEquals("POST events", ApiRequestCounter.key(with("POST", "/api/v1/namespaces/ns/events", "application/json")));
    assertEquals("PUT leases", ApiRequestCounter.key(with("PUT",
        "/apis/coordination.k8s.io/v1/namespaces/ns/leases/dynamic-slicing", "application/json")));
    assertEquals("PUT pods/status", ApiRequestCounter.key(with("PUT", "/api/v1/namespaces/ns/pods/ue-1/status",
        "application/json")));
  }

  @Test
  void whatIsNotAResourceIsOther() {
    assertEquals("GET other", ApiRequestCounter.key(get("/version")));
    assertEquals("HEAD other", ApiRequestCounter.key(new Request.Builder().url(API + "/api/v1/namespaces/ns/pods").head().build()));
  }
}
