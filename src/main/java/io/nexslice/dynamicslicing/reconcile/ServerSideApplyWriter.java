package io.nexslice.dynamicslicing.reconcile;

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
import okhttp3.Call;

/**
 * Writes with server-side apply (PatchUtils, one field manager, forced: we own these objects and
 * restore fields others changed) and deletes with a uid precondition.
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

  @Override
  public String apply(KubernetesObject desired) throws ApiException {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    V1Patch body = new V1Patch(applyJson.body(desired));
    KubernetesObject applied;
    if (desired instanceof V1Deployment) {
      applied = PatchUtils.patch(V1Deployment.class,
          () -> apps.patchNamespacedDeployment(name, ns, body).fieldManager(Names.FIELD_MANAGER).force(true).buildCall(null),
          V1Patch.PATCH_FORMAT_APPLY_YAML, client);
    } else if (desired instanceof V1Service) {
      applied = PatchUtils.patch(V1Service.class,
          () -> core.patchNamespacedService(name, ns, body).fieldManager(Names.FIELD_MANAGER).force(true).buildCall(null),
          V1Patch.PATCH_FORMAT_APPLY_YAML, client);
    } else if (desired instanceof V1ConfigMap) {
      applied = PatchUtils.patch(V1ConfigMap.class,
          () -> core.patchNamespacedConfigMap(name, ns, body).fieldManager(Names.FIELD_MANAGER).force(true).buildCall(null),
          V1Patch.PATCH_FORMAT_APPLY_YAML, client);
    } else {
      throw new IllegalArgumentException("cannot apply a " + desired.getClass().getSimpleName());
    }
    return applied == null || applied.getMetadata() == null ? null : applied.getMetadata().getResourceVersion();
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
