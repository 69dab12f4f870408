package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.common.KubernetesObject;
import io.nexslice.dynamicslicing.model.Ownership.Owner;
import java.util.List;
import java.util.function.BiFunction;

/** One object slot of a UPF: what the cache holds under the UPF's name, of one kind, and whose it is. */
record Slot(String kind, KubernetesObject existing, Owner owner) {
  /** The kinds a UPF is made of, in apply order: the config before the pods that mount it. */
  static final List<String> KINDS = List.of("ConfigMap", "Deployment", "Service");

  String uid() {
    return existing.getMetadata().getUid();
  }

  String name() {
    return existing.getMetadata().getName();
  }

  /** The three slots of the UPF named {@code name}, classified by {@code classify}. */
  static List<Slot> of(UeCache cache, String namespace, String name, BiFunction<String, KubernetesObject, Owner> classify) {
    return KINDS.stream().map(kind -> {
      KubernetesObject o = cache.get(kind, namespace, name);
      return new Slot(kind, o, classify.apply(kind, o));
    }).toList();
  }

  static Slot ofKind(List<Slot> slots, String kind) {
    return slots.get(KINDS.indexOf(kind));
  }
}
