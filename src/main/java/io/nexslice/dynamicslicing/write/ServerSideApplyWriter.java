package io.nexslice.dynamicslicing.write;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Preconditions;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.util.PatchUtils;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.ApplyJson;
import java.util.Map;
import java.util.Set;
import okhttp3.Call;

/**
 * Writes with server-side apply (PatchUtils, one field manager, forced: we own these objects and
 * restore fields others changed) and deletes with a uid precondition. On UE pods it writes only
 * the UPF mark's two annotations (UpfMark).
 */
public final class ServerSideApplyWriter implements UpfWriter {
  private final ApiClient client;
  private final AppsV1Api apps;
  private final CoreV1Api core;
  private final ApplyJson applyJson;

  /** @param applyJson the controller's one, whose Gson the warm-up has already exercised */
  public ServerSideApplyWriter(ApiClient client, ApplyJson applyJson) {
    this.client = client;
    this.apps = new AppsV1Api(client);
    this.core = new CoreV1Api(client);
    this.applyJson = applyJson;
  }

  /**
   * What is read of a write's answer: its resourceVersion, for WriteExpectations. Decoding the
   * whole object the server sends back (managedFields, status, a pod's whole spec) into the
   * generated models cost the controller's one CPU more than the rest of an attach's reconcile
   * (docs/BENCHMARKS.md, P2 without kube-controller-manager); Gson skips every other field.
   */
  record Answer(Metadata metadata) {
    record Metadata(String resourceVersion) {}

    String resourceVersion() {
      return metadata == null ? null : metadata.resourceVersion();
    }
  }

  @Override
  public String apply(KubernetesObject desired) throws ApiException {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    V1Patch body = new V1Patch(applyJson.body(desired));
    PatchUtils.PatchCallFunc call;
    if (desired instanceof V1Deployment) {
      call = () -> apps.patchNamespacedDeployment(name, ns, body).fieldManager(Names.FIELD_MANAGER).force(true).buildCall(null);
    } else if (desired instanceof V1Service) {
      call = () -> core.patchNamespacedService(name, ns, body).fieldManager(Names.FIELD_MANAGER).force(true).buildCall(null);
    } else if (desired instanceof V1ConfigMap) {
      call = () -> core.patchNamespacedConfigMap(name, ns, body).fieldManager(Names.FIELD_MANAGER).force(true).buildCall(null);
    } else {
      throw new IllegalArgumentException("cannot apply a " + desired.getClass().getSimpleName());
    }
    return versionOf(PatchUtils.patch(Answer.class, call, V1Patch.PATCH_FORMAT_APPLY_YAML, client));
  }

  private static String versionOf(Answer answer) {
    return answer == null ? null : answer.resourceVersion();
  }

  @Override
  public String markPod(String namespace, String name, String uid, Map<String, String> annotations)
      throws ApiException {
    JsonObject meta = uidOnly(uid);
    meta.addProperty("name", name);
    meta.addProperty("namespace", namespace);
    JsonObject ann = new JsonObject();
    annotations.forEach(ann::addProperty);
    meta.add("annotations", ann);
    JsonObject pod = new JsonObject();
    pod.addProperty("apiVersion", "v1");
    pod.addProperty("kind", "Pod");
    pod.add("metadata", meta);
    V1Patch body = new V1Patch(pod.toString());
    return podWrite(() -> versionOf(PatchUtils.patch(Answer.class,
        () -> core.patchNamespacedPod(name, namespace, body).fieldManager(Names.FIELD_MANAGER).force(true).buildCall(null),
        V1Patch.PATCH_FORMAT_APPLY_YAML, client)));
  }

  @Override
  public String unmarkPod(String namespace, String name, String uid, Set<String> keys) throws ApiException {
    // A JSON merge patch, not an apply: an apply can only drop fields this manager owns, and a
    // mark the UE's owner wrote by hand must go too. The uid makes it a precondition.
    JsonObject meta = uidOnly(uid);
    JsonObject ann = new JsonObject();
    keys.forEach(k -> ann.add(k, JsonNull.INSTANCE));
    meta.add("annotations", ann);
    JsonObject patch = new JsonObject();
    patch.add("metadata", meta);
    V1Patch body = new V1Patch(patch.toString());
    return podWrite(() -> versionOf(PatchUtils.patch(Answer.class,
        () -> core.patchNamespacedPod(name, namespace, body).fieldManager(Names.FIELD_MANAGER).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client)));
  }

  /** Metadata holding the pod's uid: the write applies only to that very pod. */
  private static JsonObject uidOnly(String uid) {
    JsonObject meta = new JsonObject();
    meta.addProperty("uid", uid);
    return meta;
  }

  private interface PodCall {
    /** The write's resourceVersion. */
    String run() throws ApiException;
  }

  /**
   * A write to a UE pod that may have gone or been replaced since the cache saw it: none of that
   * is an error, there is nothing to mark. As a 1.20 API server answers (checked by hand): a pod
   * of that name with another uid, 422 (uid is immutable); no pod, 404 for a merge patch and 409
   * for an apply ("uid mismatch ... no existing object"), which never creates one.
   */
  private static String podWrite(PodCall call) throws ApiException {
    try {
      return call.run();
    } catch (ApiException e) {
      if (e.getCode() == 404 || e.getCode() == 409 || e.getCode() == 422) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public boolean delete(String kind, String namespace, String name, String uid) throws ApiException {
    V1DeleteOptions options = new V1DeleteOptions()
        .propagationPolicy("Background")
        .preconditions(new V1Preconditions().uid(uid));
    Call call = switch (kind) {
      case "Deployment" -> apps.deleteNamespacedDeployment(name, namespace).body(options).buildCall(null);
      case "Service" -> core.deleteNamespacedService(name, namespace).body(options).buildCall(null);
      case "ConfigMap" -> core.deleteNamespacedConfigMap(name, namespace).body(options).buildCall(null);
      default -> throw new IllegalArgumentException("cannot delete a " + kind);
    };
    try {
      // The body is not parsed: a 1.20 server answers a Service delete with a Status that the
      // generated deleteNamespacedService cannot read, after the delete succeeded.
      client.execute(call);
      return true;
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }
}
