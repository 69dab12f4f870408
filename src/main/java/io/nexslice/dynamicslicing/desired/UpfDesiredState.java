package io.nexslice.dynamicslicing.desired;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.model.UpfNames;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.profile.UpfProfile;
import io.nexslice.dynamicslicing.profile.UpfSpec;
import io.nexslice.dynamicslicing.slice.Slice;
import io.nexslice.dynamicslicing.slice.SliceGroup;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Builds the UPF a UE should have: a pure function of the UE's identity, its resolved slice, its
 * address block and the operator's settings. The profile supplies containers and configuration;
 * this class then sets, the same for every profile, what the controller relies on: names,
 * namespace, labels, owner reference, selectors, replicas, the pool and slice annotations, the
 * config checksum that restarts pods on a config change, and {@code overhead} unset.
 */
public final class UpfDesiredState {
  private final UpfProfile profile;
  private final Optional<String> imageOverride;
  private final int replicas;
  private final IntFunction<String> nrfHostBySst;

  /** @param nrfHostBySst the NRF an OAI UPF of a slice registers in, by the slice's SST */
  public UpfDesiredState(UpfProfile profile, Optional<String> imageOverride, int replicas,
      IntFunction<String> nrfHostBySst) {
    this.profile = profile;
    this.imageOverride = imageOverride;
    this.replicas = replicas;
    this.nrfHostBySst = nrfHostBySst;
  }

  public UpfProfile profile() {
    return profile;
  }

  /** The dedicated UPF of one UE (per-ue mode), controlled by the UE pod. */
  public UpfObjects build(UeRef ue, Slice slice, String ueBlock) {
    Map<String, String> selector = selectorLabels(ue);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Names.ANNOTATION_UE_POD, ue.name());
    annotations.put(Names.ANNOTATION_POOL, ueBlock);
    annotations.put(Names.ANNOTATION_SLICE, slice.toString());
    List<V1OwnerReference> owners = List.of(ownerReference(ue).controller(true));
    return assemble(UpfNames.forPod(ue.name()), ue, slice, ueBlock, selector, "per-ue", owners, annotations, replicas);
  }

  /**
   * The UPF a slice group shares (per-slice mode): an owner reference to every member, none of
   * them the controller, so the garbage collector removes it only when all members are gone.
   *
   * @param members the attached UEs of the group, at least one, in a stable order
   */
  public UpfObjects buildShared(SliceGroup group, List<UeRef> members, String ueBlock, int sharedReplicas) {
    String name = UpfNames.forSlice(group.slice());
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(Names.LABEL_NAME, Names.UPF_APP);
    selector.put(Names.LABEL_MANAGED_BY, Names.CONTROLLER);
    selector.put(Names.LABEL_SLICE_UPF, name);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Names.ANNOTATION_SLICE_GROUP, group.key());
    annotations.put(Names.ANNOTATION_POOL, ueBlock);
    annotations.put(Names.ANNOTATION_SLICE, group.slice().toString());
    annotations.put(Names.ANNOTATION_UE_COUNT, Integer.toString(members.size()));
    annotations.put(Names.ANNOTATION_UES, memberList(members));
    List<V1OwnerReference> owners = members.stream().map(m -> ownerReference(m).controller(false)).toList();
    return assemble(name, members.get(0), group.slice(), ueBlock, selector, "per-slice", owners, annotations,
        sharedReplicas);
  }

  /** Member names for kubectl readers, capped so the annotation stays far below the 256 KiB limit. */
  static String memberList(List<UeRef> members) {
    int shown = Math.min(members.size(), 100);
    String list = String.join(",", members.subList(0, shown).stream().map(UeRef::name).toList());
    return shown < members.size() ? list + ",... (+" + (members.size() - shown) + " more)" : list;
  }

  private static V1OwnerReference ownerReference(UeRef ue) {
    // No blockOwnerDeletion: it needs permission to set finalizers on pods, which a
    // least-privilege controller does not have; the garbage collector works without it.
    return new V1OwnerReference().apiVersion("v1").kind("Pod").name(ue.name()).uid(ue.uid());
  }

  private UpfObjects assemble(String name, UeRef ue, Slice slice, String ueBlock, Map<String, String> selector,
      String mode, List<V1OwnerReference> owners, Map<String, String> annotations, int replicaCount) {
    String image = imageOverride.orElse(profile.defaultImage());
    UpfObjects rendered = profile.render(new UpfSpec(ue, name, ue.namespace(), slice, ueBlock, image,
        nrfHostBySst.apply(slice.sst())));
    Map<String, String> labels = new LinkedHashMap<>(selector);
    labels.put(Names.LABEL_COMPONENT, "user-plane");
    labels.put(Names.LABEL_MODE, mode);

    V1ConfigMap configMap = rendered.configMap();
    if (configMap != null) {
      configMap.apiVersion("v1").kind("ConfigMap").metadata(metadata(configMap, name, ue.namespace(), labels, owners, annotations));
    }
    V1Deployment deployment = rendered.deployment();
    deployment.apiVersion("apps/v1").kind("Deployment")
        .metadata(metadata(deployment, name, ue.namespace(), labels, owners, annotations));
    deployment.getSpec().replicas(replicaCount).selector(new V1LabelSelector().matchLabels(selector));
    if (deployment.getSpec().getStrategy() == null) {
      // A UPF holds PFCP associations and GTP-U state: two generations at once confuse the SMF.
      deployment.getSpec().strategy(new V1DeploymentStrategy().type("Recreate"));
    }
    V1PodTemplateSpec template = deployment.getSpec().getTemplate();
    V1ObjectMeta podMeta = template.getMetadata() == null ? new V1ObjectMeta() : template.getMetadata();
    podMeta.labels(merge(podMeta.getLabels(), labels));
    podMeta.annotations(merge(podMeta.getAnnotations(), Map.of(Names.ANNOTATION_CONFIG_HASH, configHash(configMap))));
    template.metadata(podMeta);
    V1PodSpec podSpec = template.getSpec();
    // client-java sends "overhead": {} by default, which a real API server rejects (403).
    podSpec.setOverhead(null);
    imageOverride.ifPresent(img -> upfContainer(podSpec).image(img));

    V1Service service = rendered.service();
    service.apiVersion("v1").kind("Service").metadata(metadata(service, name, ue.namespace(), labels, owners, annotations));
    service.getSpec().selector(selector);
    return new UpfObjects(deployment, service, configMap);
  }

  /** Labels that identify the pods of one UE's UPF; immutable in a Deployment, so kept minimal. */
  static Map<String, String> selectorLabels(UeRef ue) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Names.LABEL_NAME, Names.UPF_APP);
    labels.put(Names.LABEL_MANAGED_BY, Names.CONTROLLER);
    labels.put(Names.LABEL_UE, UpfNames.ueLabelValue(ue.name()));
    return labels;
  }

  private static V1ObjectMeta metadata(KubernetesObject rendered, String name, String namespace,
      Map<String, String> labels, List<V1OwnerReference> owners, Map<String, String> annotations) {
    V1ObjectMeta from = rendered.getMetadata() == null ? new V1ObjectMeta() : rendered.getMetadata();
    return new V1ObjectMeta()
        .name(name)
        .namespace(namespace)
        .labels(merge(from.getLabels(), labels))
        .annotations(merge(from.getAnnotations(), annotations))
        .ownerReferences(owners);
  }

  /** The container UPF_IMAGE applies to: the one named "upf", else the first. */
  private static V1Container upfContainer(V1PodSpec pod) {
    return pod.getContainers().stream().filter(c -> "upf".equals(c.getName())).findFirst()
        .orElse(pod.getContainers().get(0));
  }

  /** Ours win over the profile's, so a template cannot detach objects from their UE. */
  private static Map<String, String> merge(Map<String, String> theirs, Map<String, String> ours) {
    Map<String, String> out = new LinkedHashMap<>();
    if (theirs != null) {
      out.putAll(theirs);
    }
    out.putAll(ours);
    return out;
  }

  /** SHA-256 of the ConfigMap's data, stable across map orders. */
  static String configHash(V1ConfigMap configMap) {
    Map<String, String> data = configMap == null || configMap.getData() == null ? Map.of() : new TreeMap<>(configMap.getData());
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> e : data.entrySet()) {
        md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(e.getValue().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
