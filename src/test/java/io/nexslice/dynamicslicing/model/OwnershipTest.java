package io.nexslice.dynamicslicing.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.nexslice.dynamicslicing.model.Ownership.Owner;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnershipTest {

  static V1Deployment owned(String podName, String uid, boolean labelled) {
    V1ObjectMeta meta = new V1ObjectMeta().name("upf-" + podName)
        .ownerReferences(List.of(new V1OwnerReference().apiVersion("v1").kind("Pod").name(podName).uid(uid).controller(true)));
    if (labelled) {
      meta.labels(Map.of("app.kubernetes.io/managed-by", "dynamic-slicing"));
    }
    return new V1Deployment().metadata(meta);
  }

  @Test
  void controlledByThisPodIsOurs() {
    assertEquals(Owner.THIS_UE, Ownership.classify(owned("ue1", "u1", true), "ue1", "u1"));
  }

  @Test
  void ourObjectForAnEarlierPodOfTheSameNameIsGarbage() {
    assertEquals(Owner.PREVIOUS_UE, Ownership.classify(owned("ue1", "old", true), "ue1", "u1"));
    assertEquals(Owner.PREVIOUS_UE, Ownership.classify(owned("ue1", "old", true), "ue1", null));
  }

  @Test
  void anythingElseIsForeign() {
    assertEquals(Owner.FOREIGN, Ownership.classify(new V1Deployment().metadata(new V1ObjectMeta().name("upf-ue1")), "ue1", "u1"));
    assertEquals(Owner.FOREIGN, Ownership.classify(owned("other", "u1", true), "ue1", "u1"));
    assertEquals(Owner.FOREIGN, Ownership.classify(owned("ue1", "old", false), "ue1", "u1"));
    V1Deployment notController = owned("ue1", "u1", true);
    notController.getMetadata().getOwnerReferences().get(0).controller(false);
    assertEquals(Owner.FOREIGN, Ownership.classify(notController, "ue1", "u1"));
  }

  @Test
  void nothingIsAbsent() {
    assertEquals(Owner.ABSENT, Ownership.classify(null, "ue1", "u1"));
  }
}
