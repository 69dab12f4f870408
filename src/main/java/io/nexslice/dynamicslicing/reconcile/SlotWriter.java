package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.ApplyJson;
import io.nexslice.dynamicslicing.model.Ownership.Owner;
import io.nexslice.dynamicslicing.model.UpfMark;
import io.nexslice.dynamicslicing.model.UpfObjects;
import io.nexslice.dynamicslicing.write.ParallelWrites;
import io.nexslice.dynamicslicing.write.UpfWriter;
import io.nexslice.dynamicslicing.write.WriteExpectations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/** Converges a UPF's slots on desired objects; shared by the per-UE and per-slice reconcilers. */
public final class SlotWriter {
  /** A slot skipped for our own write whose echo was already dropped (WriteExpectations): at once. */
  static final Duration ECHO_RECHECK = Duration.ofMillis(10);

  private final ApplyJson applyJson;
  private final UpfWriter writer;
  private final WriteExpectations expectations;
  private final ParallelWrites writes;

  public SlotWriter(ApplyJson applyJson, UpfWriter writer, WriteExpectations expectations, ParallelWrites writes) {
    this.applyJson = applyJson;
    this.writer = writer;
    this.expectations = expectations;
    this.writes = writes;
  }

  /**
   * What applyChanged did: the kinds written (for events and logs), whether to look again, and
   * when its writes began and ended (System.nanoTime; both 0 when nothing was written).
   */
  record Applied(List<String> written, boolean recheck, long writesBegan, long writesEnded) {
    Applied(List<String> written, boolean recheck) {
      this(written, recheck, 0, 0);
    }

    /** The reconcile's result when nothing else requeues the UE. */
    Result result() {
      return resultOf(recheck);
    }
  }

  /**
   * What remove did: the kinds it deleted, and whether the reconcile must run again because a
   * write of ours to the UPF was not in its snapshot (see remove).
   */
  record Removed(List<String> kinds, boolean recheck) {
    /** The reconcile's result when nothing else requeues the UE. */
    Result result() {
      return resultOf(recheck);
    }
  }

  private static Result resultOf(boolean recheck) {
    return recheck ? new Result(true, ECHO_RECHECK) : new Result(false);
  }

  /**
   * Applies each desired object whose slot is not already ours and as desired; deletes our
   * ConfigMap when the profile no longer has one. The writes go out at once (ParallelWrites),
   * except that a changed ConfigMap of a live UPF is written before its Deployment: a pod the
   * Deployment's change rolls out must mount the new configuration, and if the ConfigMap's write
   * failed, the Deployment is not changed either. A new UPF needs no such order: its pod cannot
   * start before its ConfigMap exists (the kubelet waits for the volume's source).
   */
  Applied applyChanged(UpfObjects desired, List<Slot> slots) throws ApiException {
    List<String> written = new ArrayList<>();
    List<ParallelWrites.Write> first = new ArrayList<>();
    List<ParallelWrites.Write> rest = new ArrayList<>();
    boolean recheck = false;
    // Set when someone else changed an object while we wrote it: its event was held back (WriteExpectations).
    AtomicBoolean heldBack = new AtomicBoolean();
    for (KubernetesObject object : desired.all()) {
      Slot slot = Slot.ofKind(slots, object.getKind());
      String ns = object.getMetadata().getNamespace();
      String name = object.getMetadata().getName();
      String cachedVersion = slot.existing() == null ? null : slot.existing().getMetadata().getResourceVersion();
      if (slot.owner() != Owner.FOREIGN) {
        WriteExpectations.Wait wait = expectations.waitFor(object.getKind(), ns, name, cachedVersion);
        if (wait != WriteExpectations.Wait.NONE) {
          // Our last write of it is not in this snapshot: its echo wakes this UE again, or, when
          // the echo came after the snapshot was read (and was dropped), the UE runs again now.
          recheck |= wait == WriteExpectations.Wait.RECHECK;
          continue;
        }
      }
      boolean update = slot.owner() == Owner.THIS_UE;
      if (update) {
        Optional<String> drift = applyJson.difference(object, slot.existing());
        if (drift.isEmpty()) {
          continue;
        }
        written.add(object.getKind() + " (" + drift.get() + ")");
      } else {
        written.add(object.getKind());
      }
      ParallelWrites.Write write = () -> {
        expectations.writing(object.getKind(), ns, name);
        String version;
        try {
          version = writer.apply(object);
        } catch (ApiException | RuntimeException e) {
          expectations.forget(object.getKind(), ns, name); // the failed reconcile is retried: it looks again
          throw e;
        }
        if (expectations.written(object.getKind(), ns, name, version)) {
          heldBack.set(true);
        }
      };
      (update && object.getKind().equals("ConfigMap") ? first : rest).add(write);
    }
    Slot config = Slot.ofKind(slots, "ConfigMap");
    if (desired.configMap() == null && config.owner() == Owner.THIS_UE) {
      rest.add(() -> writer.delete("ConfigMap", config.existing().getMetadata().getNamespace(), config.name(), config.uid()));
      written.add("ConfigMap removed");
    }
    if (first.isEmpty() && rest.isEmpty()) {
      return new Applied(written, recheck);
    }
    long began = System.nanoTime();
    writes.runAll(first);
    writes.runAll(rest);
    return new Applied(written, recheck || heldBack.get(), began, System.nanoTime());
  }

  /** Deletes the slots {@code which} selects (uid precondition); returns the kinds deleted. */
  List<String> delete(List<Slot> slots, Predicate<Slot> which) throws ApiException {
    List<String> deleted = new ArrayList<>();
    for (Slot s : slots) {
      if (s.existing() != null && which.test(s)) {
        expectations.forget(s.kind(), s.existing().getMetadata().getNamespace(), s.name());
        if (writer.delete(s.kind(), s.existing().getMetadata().getNamespace(), s.name(), s.uid())) {
          deleted.add(s.kind());
        }
      }
    }
    return deleted;
  }

  /**
   * Removes the UPF {@code name}: deletes the slots {@code which} selects, as {@link #delete}.
   * A write of ours to one of its objects may not be in this snapshot yet, so the object reaches
   * the cache after the deletes: its echo then wakes the UE (asking WriteExpectations here, on the
   * same snapshot and before deleting, keeps it from being dropped), or, when the echo came after
   * the snapshot was read and was dropped already, {@link Removed#recheck()} says to run again.
   */
  Removed remove(String namespace, String name, List<Slot> slots, Predicate<Slot> which) throws ApiException {
    boolean recheck = false;
    for (Slot s : slots) {
      String cached = s.existing() == null ? null : s.existing().getMetadata().getResourceVersion();
      recheck |= expectations.waitFor(s.kind(), namespace, name, cached) == WriteExpectations.Wait.RECHECK;
    }
    return new Removed(delete(slots, which), recheck);
  }

  /** Slots held by something that is not ours: never adopted, never changed. */
  static List<Slot> foreign(List<Slot> slots, UpfObjects desired) {
    return slots.stream()
        .filter(s -> s.owner() == Owner.FOREIGN && (desired.configMap() != null || !s.kind().equals("ConfigMap")))
        .toList();
  }

  /** The mark a UPF's UEs should carry: only while our Deployment in the cache has a replica available. */
  static Optional<UpfMark> markFor(String upfName, List<Slot> slots) {
    Slot d = Slot.ofKind(slots, "Deployment");
    return UpfMark.forUpf(upfName, d.owner() == Owner.THIS_UE ? (V1Deployment) d.existing() : null);
  }

  /** The block our Deployment already records, so a UPF keeps its block across restarts. */
  static Optional<String> currentBlock(List<Slot> slots) {
    Slot d = Slot.ofKind(slots, "Deployment");
    if (d.owner() != Owner.THIS_UE) {
      return Optional.empty();
    }
    Map<String, String> ann = d.existing().getMetadata().getAnnotations();
    return Optional.ofNullable(ann == null ? null : ann.get(Names.ANNOTATION_POOL));
  }
}
