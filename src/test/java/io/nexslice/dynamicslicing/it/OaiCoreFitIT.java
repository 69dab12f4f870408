package io.nexslice.dynamicslicing.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Deployment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #16, OAI: the UPFs fit the SMF that must use them. At most UPF_MAX_PER_SLICE (16, the OAI
 * SMF's PFCP association limit) per slice, the rest waiting in Ready order; and each UPF routes
 * its slice's SMF pool, where the OAI SMF takes UE addresses from.
 */
@ExtendWith(ClusterExtension.class)
class OaiCoreFitIT {
  private static final String SLICE_1 = "sst=1 sd=FFFFFF dnn=oai";
  private Kube kube;
  private String ns;
  private Controllers controllers;

  @BeforeEach
  void setUp(Kube kube) throws Exception {
    this.kube = kube;
    this.ns = kube.createNamespace("oai-fit");
    this.controllers = new Controllers(kube.cluster(), ns);
  }

  @AfterEach
  void tearDown() {
    controllers.close();
    kube.deleteNamespace(ns);
  }

  @Test
  void sixteenUpfsPerSliceTheRestWaitInReadyOrderAcrossARestart() throws Exception {
    Map<String, String> env = Map.of("UPF_REPLICAS", "0"); // the oai profile's default budget: 16
    RunningController c = controllers.start(env);
    for (int i = 0; i < 16; i++) {
      kube.createReadyUe(ns, String.format("ue-%02d", i));
    }
    for (int i = 0; i < 16; i++) {
      kube.awaitUpf(ns, String.format("upf-ue-%02d", i));
    }
    // A UE of another slice is not counted against slice 1.
    kube.createPod(ns, "ue-slice2", Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/sst", "2", "nexslice.io/dnn", "oai2"));
    kube.setReady(ns, "ue-slice2", true);
    kube.awaitUpf(ns, "upf-ue-slice2");

    kube.createReadyUe(ns, "waiter-a");
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "waiter-a", "Warning", "UpfLimitReached"));
    kube.createReadyUe(ns, "waiter-b");
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "waiter-b", "Warning", "UpfLimitReached"));
    CoreV1Event warning = kube.events(ns, "waiter-a").stream()
        .filter(e -> "UpfLimitReached".equals(e.getReason())).findFirst().orElseThrow();
    assertTrue(warning.getMessage().contains("UPF_MAX_PER_SLICE=16") && warning.getMessage().contains(SLICE_1)
        && warning.getMessage().contains(ns), warning.getMessage());
    assertEquals(16, sliceUpfs(SLICE_1));
    assertNull(kube.deployment(ns, "upf-waiter-a"));
    assertNull(kube.deployment(ns, "upf-waiter-b"));
    assertEquals(2.0, metric(c, "dynamic_slicing_slice_ues_waiting", "dnn=\"oai\""));
    assertEquals(16.0, metric(c, "dynamic_slicing_slice_upfs", "dnn=\"oai\""));
    assertEquals(16.0, metric(c, "dynamic_slicing_slice_upf_limit", ""));

    // A restart in between: the new controller counts the 16 from the cluster, not from memory.
    controllers.stop(c);
    c = controllers.start(env);
    RunningController restarted = c;
    await().atMost(Kube.TIMEOUT).until(() -> metric(restarted, "dynamic_slicing_slice_ues_waiting", "dnn=\"oai\"") == 2.0);
    assertEquals(16, sliceUpfs(SLICE_1));
    assertNull(kube.deployment(ns, "upf-waiter-a"));

    // A slot frees: the UE Ready first gets it, the other keeps waiting.
    kube.deletePod(ns, "ue-03");
    kube.awaitUpf(ns, "upf-waiter-a");
    await().atMost(Kube.TIMEOUT).until(() -> kube.deployment(ns, "upf-ue-03") == null);
    assertEquals(16, sliceUpfs(SLICE_1));
    assertNull(kube.deployment(ns, "upf-waiter-b"), "waiter-b became Ready after waiter-a");
    assertEquals(1.0, metric(restarted, "dynamic_slicing_slice_ues_waiting", "dnn=\"oai\""));

    kube.deletePod(ns, "ue-07");
    kube.awaitUpf(ns, "upf-waiter-b");
    await().atMost(Kube.TIMEOUT).until(() -> sliceUpfs(SLICE_1) == 16 && kube.deployment(ns, "upf-ue-07") == null);
    assertEquals(0.0, metric(restarted, "dynamic_slicing_slice_ues_waiting", "dnn=\"oai\""));
  }

  @Test
  void oaiUpfsRouteTheirSlicesSmfPoolAndTakeNoBlock() throws Exception {
    controllers.start(Map.of("UPF_REPLICAS", "0", "UPF_MAX_PER_SLICE", "0"));
    kube.createReadyUe(ns, "ue-1a");
    kube.createReadyUe(ns, "ue-1b");
    kube.createPod(ns, "ue-3", Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/sst", "3", "nexslice.io/dnn", "oai3"));
    kube.setReady(ns, "ue-3", true);
    kube.createPod(ns, "ue-odd", Map.of(Kube.UE_LABEL, "true"), Map.of("nexslice.io/dnn", "internet"));
    kube.setReady(ns, "ue-odd", true);

    for (String ue : List.of("ue-1a", "ue-1b")) {
      V1Deployment d = kube.awaitUpf(ns, "upf-" + ue);
      assertEquals("12.1.1.0/24", d.getMetadata().getAnnotations().get("nexslice.io/ue-pool"));
      assertTrue(config("upf-" + ue).contains("ipv4_subnet: 12.1.1.0/24"), config("upf-" + ue));
    }
    kube.awaitUpf(ns, "upf-ue-3");
    String slice3 = config("upf-ue-3");
    assertTrue(slice3.contains("ipv4_subnet: 12.1.3.0/24") && slice3.contains("host: oai-nrf2"), slice3);

    // A DNN whose SMF pool the operator did not give: no UPF that would route a wrong subnet.
    await().atMost(Kube.TIMEOUT).until(() -> kube.hasEvent(ns, "ue-odd", "Warning", "UeSubnetUnknown"));
    assertNull(kube.deployment(ns, "upf-ue-odd"));
  }

  private String config(String upf) {
    return await().atMost(Kube.TIMEOUT).ignoreExceptions()
        .until(() -> kube.core.readNamespacedConfigMap(upf, ns).execute().getData().get("config.yaml"), s -> s != null);
  }

  private int sliceUpfs(String slice) throws ApiException {
    return (int) kube.deployments(ns).stream()
        .filter(d -> d.getMetadata().getAnnotations() != null
            && slice.equals(d.getMetadata().getAnnotations().get("nexslice.io/slice")))
        .count();
  }

  /** The value of the first sample of {@code name} whose labels contain {@code label}; fails when there is none. */
  private static double metric(RunningController c, String name, String label) throws Exception {
    String body = c.get("/metrics").body();
    return body.lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> l.contains(label))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample of " + name + " with " + label + " in:\n" + body));
  }
}
