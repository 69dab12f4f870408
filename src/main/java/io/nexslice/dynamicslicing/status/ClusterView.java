package io.nexslice.dynamicslicing.status;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.controller.NamespaceController;
import io.nexslice.dynamicslicing.model.Ownership;
import io.nexslice.dynamicslicing.model.UeState;
import io.nexslice.dynamicslicing.model.UpfMark;
import io.nexslice.dynamicslicing.pool.SliceBudget;
import io.nexslice.dynamicslicing.smf.UpfRegistry;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What is attached, read from the informer caches: every UE our UPFs serve, with its slice and
 * its UPF's objects. Metrics and the status API both read it, so they always agree.
 */
public final class ClusterView {
  /**
   * One attached UE. {@code service} and {@code configMap} are null when missing; {@code marked}
   * says the pod carries the mark of this UPF (UpfMark): the UE may open its sessions.
   */
  public record AttachedUe(String namespace, String pod, Map<String, String> slice, String mode, String pool,
      String deployment, String service, String configMap, OffsetDateTime since, boolean marked) {}

  /** One UPF Deployment of ours. */
  public record Upf(String namespace, String name, String mode, int ues, Map<String, String> slice) {}

  /** UEs of one slice waiting for a slot of its UPF budget. */
  public record Waiting(String namespace, Map<String, String> slice, int ues) {}

  private final List<NamespaceController> namespaces;
  private final SliceBudget budget;
  private final UpfRegistry registry;

  public ClusterView(List<NamespaceController> namespaces, SliceBudget budget, UpfRegistry registry) {
    this.namespaces = List.copyOf(namespaces);
    this.budget = budget;
    this.registry = registry;
  }

  /** The UPFs the core's SMF holds by our registration; empty when the controller registers nothing. */
  public Optional<Integer> registeredWithSmf() {
    return registry.enabled() ? Optional.of(registry.registeredCount()) : Optional.empty();
  }

  /** UPF_MAX_PER_SLICE; 0 when unlimited. */
  public int upfLimitPerSlice() {
    return budget.max();
  }

  public List<Waiting> waitingForBudget() {
    List<Waiting> out = new ArrayList<>();
    budget.waitingBySlice().forEach((key, n) -> {
      int slash = key.indexOf('/');
      out.add(new Waiting(key.substring(0, slash), sliceLabels(key.substring(slash + 1)), n));
    });
    return out;
  }

  public List<Upf> upfs() {
    List<Upf> out = new ArrayList<>();
    for (NamespaceController nc : namespaces) {
      for (V1Deployment d : nc.deployments().list()) {
        if (isOurs(d)) {
          Map<String, String> ann = d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
          out.add(new Upf(d.getMetadata().getNamespace(), d.getMetadata().getName(), mode(d), owners(d).size(),
              sliceLabels(ann.get(Names.ANNOTATION_SLICE))));
        }
      }
    }
    return out;
  }

  public List<AttachedUe> attached() {
    List<AttachedUe> out = new ArrayList<>();
    for (NamespaceController nc : namespaces) {
      for (V1Deployment d : nc.deployments().list()) {
        if (!isOurs(d)) {
          continue;
        }
        String ns = d.getMetadata().getNamespace();
        String name = d.getMetadata().getName();
        Map<String, String> ann = d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
        String service = nc.services().namespace(ns).get(name) != null ? name : null;
        String configMap = nc.configMaps().namespace(ns).get(name) != null ? name : null;
        for (V1OwnerReference owner : owners(d)) {
          V1Pod pod = nc.pods().namespace(ns).get(owner.getName());
          OffsetDateTime since = pod == null ? null : UeState.readySince(pod).orElse(null);
          out.add(new AttachedUe(ns, owner.getName(), sliceLabels(ann.get(Names.ANNOTATION_SLICE)), mode(d),
              ann.get(Names.ANNOTATION_POOL), name, service, configMap,
              since != null ? since : d.getMetadata().getCreationTimestamp(),
              pod != null && UpfMark.isOn(pod, Optional.of(new UpfMark(name)))));
        }
      }
    }
    return out;
  }

  /** "sst=1 sd=FFFFFF dnn=oai" as labels; sd is "" when the slice has none. */
  static Map<String, String> sliceLabels(String annotation) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("sst", "");
    labels.put("sd", "");
    labels.put("dnn", "");
    if (annotation != null) {
      for (String part : annotation.split(" ")) {
        int eq = part.indexOf('=');
        if (eq > 0 && labels.containsKey(part.substring(0, eq))) {
          labels.put(part.substring(0, eq), part.substring(eq + 1));
        }
      }
    }
    return labels;
  }

  private static boolean isOurs(V1Deployment d) {
    return Ownership.isLabelledOurs(d);
  }

  private static String mode(V1Deployment d) {
    return d.getMetadata().getLabels().getOrDefault(Names.LABEL_MODE, "per-ue");
  }

  /** The pods a UPF Deployment lists as owners: the UE of a per-UE UPF, every UE of a shared one. */
  static List<V1OwnerReference> owners(V1Deployment d) {
    if (d.getMetadata().getOwnerReferences() == null) {
      return List.of();
    }
    return d.getMetadata().getOwnerReferences().stream().filter(r -> "Pod".equals(r.getKind())).toList();
  }

  public List<NamespaceController> namespaces() {
    return namespaces;
  }

  /** Attached UEs without a usable UPF, with the reasons {@code reasons} holds. */
  public List<UeWaits.Wait> waiting(UeWaits reasons) {
    List<UeWaits.Wait> out = new ArrayList<>();
    for (NamespaceController nc : namespaces) {
      out.addAll(reasons.find(nc.pods().list(), nc.deployments().list()));
    }
    return out;
  }
}
