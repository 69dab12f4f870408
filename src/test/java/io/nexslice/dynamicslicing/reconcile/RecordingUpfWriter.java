package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.nexslice.dynamicslicing.write.UpfWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * The fake writer, as sample-controller's fake clientset: records every call, writes nothing,
 * answers with made-up (increasing, numeric) resourceVersions. {@link ReconcileHarness#deliver}
 * plays the recorded writes into the caches, as the informers would.
 */
final class RecordingUpfWriter implements UpfWriter {
  /** One write, and how tests spell it. */
  sealed interface Call permits Apply, Delete, Mark, Unmark {
    String describe();
  }

  record Apply(KubernetesObject object, String resourceVersion) implements Call {
    public String describe() {
      return "apply " + object.getKind() + " " + object.getMetadata().getName();
    }
  }

  /** {@code uid}: the precondition the delete carries. */
  record Delete(String kind, String namespace, String name, String uid) implements Call {
    public String describe() {
      return "delete " + kind + " " + name + " uid=" + uid;
    }
  }

  record Mark(String namespace, String name, String uid, Map<String, String> annotations, String resourceVersion)
      implements Call {
    public String describe() {
      return "mark " + name + " uid=" + uid + " " + new TreeMap<>(annotations);
    }
  }

  record Unmark(String namespace, String name, String uid, Set<String> keys, String resourceVersion) implements Call {
    public String describe() {
      return "unmark " + name + " uid=" + uid;
    }
  }

  private final List<Call> calls = new ArrayList<>();
  /** (namespace, name) -> the uid of that pod in the cluster, or null: the pod writes' precondition. */
  private final BiFunction<String, String, String> podUid;
  private long version = 1000;
  private BiConsumer<KubernetesObject, String> duringApply = (o, rv) -> { };
  /** Thrown by the next apply or delete, as an API server error would be. */
  private ApiException failure;
  /** kind/name of objects a delete finds already gone (404): delete answers false. */
  private final Set<String> gone = new HashSet<>();

  RecordingUpfWriter(BiFunction<String, String, String> podUid) {
    this.podUid = podUid;
  }

  @Override
  public synchronized String apply(KubernetesObject desired) throws ApiException {
    throwFailure();
    String rv = next();
    calls.add(new Apply(desired, rv));
    duringApply.accept(desired, rv);
    return rv;
  }

  /**
   * Runs {@code watch} inside each apply, after the server has written the object at the given
   * version and before the answer returns: where a real watch's event can arrive first.
   */
  synchronized void duringApply(BiConsumer<KubernetesObject, String> watch) {
    duringApply = watch;
  }

  @Override
  public synchronized boolean delete(String kind, String namespace, String name, String uid) throws ApiException {
    throwFailure();
    calls.add(new Delete(kind, namespace, name, uid));
    return !gone.contains(kind + "/" + name);
  }

  /** The next apply or delete throws {@code e} (and is not recorded). */
  synchronized void failNext(ApiException e) {
    failure = e;
  }

  /** Deletes of {@code kind} {@code name} answer "already gone". */
  synchronized void alreadyGone(String kind, String name) {
    gone.add(kind + "/" + name);
  }

  private void throwFailure() throws ApiException {
    ApiException e = failure;
    failure = null;
    if (e != null) {
      throw e;
    }
  }

  /** As the API server: null (nothing written) when that pod is gone or was replaced. */
  @Override
  public synchronized String markPod(String namespace, String name, String uid, Map<String, String> annotations) {
    String rv = uid.equals(podUid.apply(namespace, name)) ? next() : null;
    calls.add(new Mark(namespace, name, uid, Map.copyOf(annotations), rv));
    return rv;
  }

  @Override
  public synchronized String unmarkPod(String namespace, String name, String uid, Set<String> keys) {
    String rv = uid.equals(podUid.apply(namespace, name)) ? next() : null;
    calls.add(new Unmark(namespace, name, uid, Set.copyOf(keys), rv));
    return rv;
  }

  private String next() {
    return Long.toString(++version);
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Every call so far, as tests spell them. */
  synchronized List<String> described() {
    return calls.stream().map(Call::describe).toList();
  }
}
