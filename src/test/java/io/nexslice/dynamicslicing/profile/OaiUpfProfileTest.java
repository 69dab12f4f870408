package io.nexslice.dynamicslicing.profile;

import static io.nexslice.dynamicslicing.profile.ProfileFixtures.list;
import static io.nexslice.dynamicslicing.profile.ProfileFixtures.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.models.V1Container;
import io.nexslice.dynamicslicing.model.UpfObjects;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OaiUpfProfileTest {
  private final UpfObjects upf = new OaiUpfProfile().render(ProfileFixtures.spec("oaisoftwarealliance/oai-upf:v2.1.0"));
  private final String config = upf.configMap().getData().get("config.yaml");

  @Test
  void configMatchesTheGoldenFile() throws Exception {
    Golden.assertMatches("oai-config.yaml", config);
  }

  @Test
  void configRegistersInTheNrfWithTheUesSliceAndDnn() {
    Map<String, Object> c = ProfileFixtures.yaml(config);
    assertEquals("yes", map(c.get("register_nf")).get("general"));
    Map<String, Object> nfs = map(c.get("nfs"));
    assertEquals("oai-nrf", map(nfs.get("nrf")).get("host"));
    assertEquals("upf-ueransim-ue1", map(nfs.get("upf")).get("host"));
    assertEquals(8805, map(map(nfs.get("upf")).get("n4")).get("port"));
    assertEquals(2152, map(map(nfs.get("upf")).get("n3")).get("port"));
    Map<String, Object> info = map(list(map(map(map(c.get("upf")).get("upf_info"))).get("sNssaiUpfInfoList")).get(0));
    assertEquals(2, map(info.get("sNssai")).get("sst"));
    assertEquals("FFFFFF", map(info.get("sNssai")).get("sd"), "sd stays a string, not a number");
    assertEquals("oai2", map(list(info.get("dnnUpfInfoList")).get(0)).get("dnn"));
    Map<String, Object> dnn = map(list(c.get("dnns")).get(0));
    assertEquals("oai2", dnn.get("dnn"));
    assertEquals("12.2.5.0/24", dnn.get("ipv4_subnet"));
    assertEquals("IPV4", dnn.get("pdu_session_type"));
  }

  @Test
  void deploymentMountsTheConfigWhereTheImageReadsItAndProbesHealth() {
    V1Container c = upf.deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("oaisoftwarealliance/oai-upf:v2.1.0", c.getImage());
    assertEquals("/openair-upf/etc", c.getVolumeMounts().get(0).getMountPath());
    assertEquals("upf-ueransim-ue1",
        upf.deployment().getSpec().getTemplate().getSpec().getVolumes().get(0).getConfigMap().getName());
    assertEquals(List.of("/bin/bash", "/openair-upf/bin/healthcheck.sh"), c.getReadinessProbe().getExec().getCommand());
    assertTrue(c.getSecurityContext().getPrivileged(), "OAI UPF needs privileges: decided by the profile only");
  }
}
