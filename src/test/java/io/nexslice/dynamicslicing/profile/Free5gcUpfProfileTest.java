package io.nexslice.dynamicslicing.profile;

import static io.nexslice.dynamicslicing.profile.ProfileFixtures.list;
import static io.nexslice.dynamicslicing.profile.ProfileFixtures.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.models.V1Container;
import io.nexslice.dynamicslicing.model.UpfObjects;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Free5gcUpfProfileTest {
  private final UpfObjects upf = new Free5gcUpfProfile().render(ProfileFixtures.spec("free5gc/upf:v3.4.4"));
  private final String config = upf.configMap().getData().get("upfcfg.yaml");
  private final String wrapper = upf.configMap().getData().get("wrapper.sh");

  @Test
  void configAndWrapperMatchTheGoldenFiles() throws Exception {
    Golden.assertMatches("free5gc-upfcfg.yaml", config);
    Golden.assertMatches("free5gc-wrapper.sh", wrapper);
  }

  @Test
  void pfcpNodeIdIsTheServiceDnsNameAndTheUePoolIsInTheDnnList() {
    Map<String, Object> c = ProfileFixtures.yaml(config);
    assertEquals("1.0.3", c.get("version"));
    assertEquals("upf-ueransim-ue1.nexslice.svc.cluster.local", map(c.get("pfcp")).get("nodeID"));
    assertEquals("gtp5g", map(c.get("gtpu")).get("forwarder"));
    assertEquals("N3", map(list(map(c.get("gtpu")).get("ifList")).get(0)).get("type"));
    Map<String, Object> dnn = map(list(c.get("dnnList")).get(0));
    assertEquals("oai2", dnn.get("dnn"));
    assertEquals("12.2.5.0/24", dnn.get("cidr"));
    assertEquals(true, map(c.get("logger")).get("enable"));
  }

  @Test
  void theWrapperSetsUpNatForTheBlockThenRunsTheUpf() {
    assertTrue(wrapper.contains("iptables -t nat -A POSTROUTING -s 12.2.5.0/24 -o eth0 -j MASQUERADE"));
    assertTrue(wrapper.trim().endsWith("exec /free5gc/upf -c /tmp/upfcfg.yaml"));
    V1Container c = upf.deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals(List.of("/bin/sh", "/free5gc/config/wrapper.sh"), c.getCommand());
    assertEquals(List.of("NET_ADMIN"), c.getSecurityContext().getCapabilities().getAdd());
    assertNull(c.getSecurityContext().getPrivileged());
    assertEquals("status.podIP", c.getEnv().get(0).getValueFrom().getFieldRef().getFieldPath());
  }
}
