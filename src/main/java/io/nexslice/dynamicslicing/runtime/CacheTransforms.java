package io.nexslice.dynamicslicing.runtime;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1Volume;
import io.nexslice.dynamicslicing.Names;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the informer caches keep of each object: only what the controller reads. Informers hold
 * every watched object for as long as it exists, so this is most of the controller's memory
 * (docs/BENCHMARKS.md, P3); it also bounds what a hostile pod (a 100 KiB annotation, say) costs.
 *
 * <ul>
 *   <li>Pods: identity, labels, our annotations (nexslice.io/..., *dynamic-slicing*), deletion timestamp, the
 *       ConfigMap volumes (a UE's ue.yaml) and the Ready condition.
 *   <li>Our Deployments, Services, ConfigMaps: all but status and foreign annotations (the
 *       desired-state comparison needs the spec).
 *   <li>Anything else: identity, labels and owner references, all the squatter check needs;
 *       ConfigMaps keep their data, which may be a UE's ue.yaml.
 * </ul>
 */
final class CacheTransforms {
  private CacheTransforms() {}

  static KubernetesObject pod(KubernetesObject o) {
    V1Pod pod = (V1Pod) o;
    V1Pod slim = new V1Pod().metadata(identity(pod.getMetadata(), true));
    slim.getMetadata().deletionTimestamp(pod.getMetadata().getDeletionTimestamp());
    if (pod.getSpec() != null && pod.getSpec().getVolumes() != null) {
      List<V1Volume> volumes = pod.getSpec().getVolumes().stream().filter(v -> v.getConfigMap() != null)
          .map(v -> new V1Volume().name(v.getName()).configMap(v.getConfigMap())).toList();
      V1PodSpec spec = new V1PodSpec().volumes(volumes);
      spec.setOverhead(null);
      slim.spec(spec);
    }
    if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
      slim.status(new V1PodStatus().phase(pod.getStatus().getPhase()).conditions(pod.getStatus().getConditions()
          .stream().filter(c -> "Ready".equals(c.getType())).toList()));
    }
    return slim;
  }

  static KubernetesObject deployment(KubernetesObject o) {
    V1Deployment d = (V1Deployment) o;
    if (!isOurs(d)) {
      return new V1Deployment().metadata(identity(d.getMetadata(), false));
    }
    return new V1Deployment().metadata(identity(d.getMetadata(), true)).spec(d.getSpec());
  }

  static KubernetesObject service(KubernetesObject o) {
    V1Service s = (V1Service) o;
    if (!isOurs(s)) {
      return new V1Service().metadata(identity(s.getMetadata(), false));
    }
    return new V1Service().metadata(identity(s.getMetadata(), true)).spec(s.getSpec());
  }

  static KubernetesObject configMap(KubernetesObject o) {
    V1ConfigMap c = (V1ConfigMap) o;
    V1ConfigMap slim = new V1ConfigMap().metadata(identity(c.getMetadata(), isOurs(c))).data(c.getData());
    if (c.getBinaryData() != null && !c.getBinaryData().isEmpty()) {
      // Only whether a key holds binary data matters (a binary ue.yaml is refused), not the bytes.
      Map<String, byte[]> keys = new LinkedHashMap<>();
      c.getBinaryData().keySet().forEach(k -> keys.put(k, new byte[0]));
      slim.binaryData(keys);
    }
    return slim;
  }

  private static boolean isOurs(KubernetesObject o) {
    Map<String, String> labels = o.getMetadata().getLabels();
    return labels != null && Names.CONTROLLER.equals(labels.get(Names.LABEL_MANAGED_BY));
  }

  private static V1ObjectMeta identity(V1ObjectMeta m, boolean withOurAnnotations) {
    V1ObjectMeta slim = new V1ObjectMeta().name(m.getName()).namespace(m.getNamespace()).uid(m.getUid())
        .resourceVersion(m.getResourceVersion()).generation(m.getGeneration())
        .creationTimestamp(m.getCreationTimestamp()).labels(m.getLabels()).ownerReferences(m.getOwnerReferences());
    if (withOurAnnotations && m.getAnnotations() != null) {
      Map<String, String> ours = new LinkedHashMap<>();
      m.getAnnotations().forEach((k, v) -> {
        // The same test UeWarnings applies: what it would warn about must reach it.
        if (k.startsWith("nexslice.io/") || k.contains("dynamic-slicing")) {
          ours.put(k, v);
        }
      });
      slim.annotations(ours);
    } else {
      slim.annotations(null);
    }
    slim.finalizers(null);
    slim.managedFields(null);
    return slim;
  }
}
