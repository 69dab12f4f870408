package io.nexslice.dynamicslicing.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpfMarkTest {

  private static V1Deployment upf(Integer available) {
    V1Deployment d = new V1Deployment().metadata(new V1ObjectMeta().name("upf-ue1"));
    return available == null ? d : d.status(new V1DeploymentStatus().availableReplicas(available));
  }

  private static V1Pod pod(Map<String, String> annotations) {
    return new V1Pod().metadata(new V1ObjectMeta().name("ue1").annotations(new HashMap<>(annotations)));
  }

  @Test
  void aUpfWithAnAvailableReplicaMarksItsUe() {
    assertEquals(Optional.of(new UpfMark("upf-ue1")), UpfMark.forUpf("upf-ue1", upf(1)));
    assertEquals(Map.of("nexslice.io/upf", "upf-ue1", "nexslice.io/upf-ready", "true"),
        UpfMark.forUpf("upf-ue1", upf(3)).orElseThrow().annotations());
  }

  @Test
  void noUpfNoStatusOrNoAvailableReplicaMeansNoMark() {
    assertEquals(Optional.empty(), UpfMark.forUpf("upf-ue1", null));
    assertEquals(Optional.empty(), UpfMark.forUpf("upf-ue1", upf(null)));
    assertEquals(Optional.empty(), UpfMark.forUpf("upf-ue1", upf(0)));
    assertEquals(Optional.empty(), UpfMark.forUpf("upf-ue1", new V1Deployment().status(new V1DeploymentStatus())));
  }

  @Test
  void aPodCarriesAMarkOnlyWithBothAnnotationsExactly() {
    Optional<UpfMark> mark = Optional.of(new UpfMark("upf-ue1"));
    assertTrue(UpfMark.isOn(pod(Map.of("nexslice.io/upf", "upf-ue1", "nexslice.io/upf-ready", "true", "x", "y")), mark));
    assertFalse(UpfMark.isOn(pod(Map.of("nexslice.io/upf", "upf-ue1")), mark));
    assertFalse(UpfMark.isOn(pod(Map.of("nexslice.io/upf", "upf-other", "nexslice.io/upf-ready", "true")), mark));
    assertFalse(UpfMark.isOn(pod(Map.of("nexslice.io/upf", "upf-ue1", "nexslice.io/upf-ready", "True")), mark));
    assertFalse(UpfMark.isOn(pod(Map.of()), mark));
    assertFalse(UpfMark.isOn(new V1Pod().metadata(new V1ObjectMeta()), mark));
  }

  @Test
  void noMarkDueMeansNeitherAnnotation() {
    assertTrue(UpfMark.isOn(pod(Map.of("other", "x")), Optional.empty()));
    assertTrue(UpfMark.isOn(new V1Pod().metadata(new V1ObjectMeta()), Optional.empty()));
    // half a mark, or one its owner wrote by hand, is still something to remove
    assertFalse(UpfMark.isOn(pod(Map.of("nexslice.io/upf-ready", "true")), Optional.empty()));
    assertFalse(UpfMark.isOn(pod(Map.of("nexslice.io/upf", "upf-ue1")), Optional.empty()));
  }
}
