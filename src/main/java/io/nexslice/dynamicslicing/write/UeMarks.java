package io.nexslice.dynamicslicing.write;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.Names;
import io.nexslice.dynamicslicing.model.UpfMark;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the UPF mark (UpfMark) on UE pods: applies it, removes it, and writes only when the
 * cached pod differs and no write of ours is still on its way to the cache.
 */
public final class UeMarks {
  private static final Logger log = LoggerFactory.getLogger(UeMarks.class);
  private static final Set<String> KEYS = Set.of(Names.ANNOTATION_UPF, Names.ANNOTATION_UPF_READY);

  private final UpfWriter writer;
  private final WriteExpectations expectations;

  public UeMarks(UpfWriter writer, WriteExpectations expectations) {
    this.writer = writer;
    this.expectations = expectations;
  }

  /** Makes the mark of {@code pod} (from the cache) {@code desired}. */
  public void converge(V1Pod pod, Optional<UpfMark> desired) throws ApiException {
    if (UpfMark.isOn(pod, desired)) {
      return;
    }
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String uid = pod.getMetadata().getUid();
    if (expectations.waitFor("Pod", ns, name, pod.getMetadata().getResourceVersion()) != WriteExpectations.Wait.NONE) {
      return; // our last mark write is not in this snapshot yet; its watch event wakes the UE again
    }
    String version;
    if (desired.isPresent()) {
      version = writer.markPod(ns, name, uid, desired.get().annotations());
      if (version != null) {
        log.info("Marked UE: its UPF {} has an available replica ue={}/{}", desired.get().upf(), ns, name);
      }
    } else {
      version = writer.unmarkPod(ns, name, uid, KEYS);
      if (version != null) {
        log.info("Removed the UPF mark ue={}/{}", ns, name);
      }
    }
    if (version != null) {
      expectations.expect("Pod", ns, name, version);
    }
  }

  /**
   * Removes the mark from a pod the cache no longer holds (opted out: it left the selector; or
   * deleted), if it is still the pod {@code uid}. A deleted pod answers 404: nothing is written.
   */
  public void removeUnseen(String namespace, String name, String uid) throws ApiException {
    expectations.forget("Pod", namespace, name);
    if (uid != null && writer.unmarkPod(namespace, name, uid, KEYS) != null) {
      log.info("Removed the UPF mark of a UE no longer served ue={}/{}", namespace, name);
    }
  }
}
