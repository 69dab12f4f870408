package io.nexslice.dynamicslicing.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexslice.dynamicslicing.config.ConfigException;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.model.UpfObjects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CustomUpfProfileTest {
  static final Path TEMPLATE = Path.of("src/test/resources/profiles/custom-upf.yaml");

  private UpfObjects render() throws Exception {
    return new CustomUpfProfile(Files.readString(TEMPLATE), "test").render(ProfileFixtures.spec("example/upf:1"));
  }

  @Test
  void everyPlaceholderIsFilledIn() throws Exception {
    String conf = render().configMap().getData().get("upf.conf");
    Golden.assertMatches("custom-upf.conf", conf);
    assertTrue(!conf.contains("${"), conf);
    assertTrue(conf.contains("gateway=12.2.5.1"), conf);
    assertTrue(conf.contains("fqdn=upf-ueransim-ue1.nexslice.svc.cluster.local"), conf);
  }

  @Test
  void theTemplatesObjectsAreParsedIntoTypedObjects() throws Exception {
    UpfObjects upf = render();
    assertEquals("example/upf:1", upf.deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertEquals("custom-upf", upf.deployment().getMetadata().getLabels().get("example.org/kind"));
    assertEquals(8805, upf.service().getSpec().getPorts().get(0).getPort());
  }

  @Test
  void mistakesAreCaughtAtStartWithTheVariableNamed() throws Exception {
    Path bad = Files.createTempFile("tpl", ".yaml");
    Files.writeString(bad, Files.readString(TEMPLATE).replace("${DNN}", "${DNNN}"));
    ConfigException e = assertThrows(ConfigException.class, () -> Profiles.fromConfig(ControllerConfig.fromEnvironment(
        Map.of("UPF_PROFILE", "custom", "UPF_TEMPLATE", bad.toString(), "UPF_IMAGE", "x/y:1"))));
    assertTrue(e.getMessage().contains("DNNN"), e.getMessage());

    Files.writeString(bad, "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n");
    e = assertThrows(ConfigException.class, () -> Profiles.fromConfig(ControllerConfig.fromEnvironment(
        Map.of("UPF_PROFILE", "custom", "UPF_TEMPLATE", bad.toString()))));
    assertTrue(e.getMessage().contains("needs one Deployment and one Service"), e.getMessage());

    e = assertThrows(ConfigException.class, () -> Profiles.fromConfig(ControllerConfig.fromEnvironment(
        Map.of("UPF_PROFILE", "custom", "UPF_TEMPLATE", TEMPLATE.toString()))));
    assertTrue(e.getMessage().startsWith("UPF_IMAGE"), e.getMessage());

    e = assertThrows(ConfigException.class, () -> Profiles.fromConfig(ControllerConfig.fromEnvironment(
        Map.of("UPF_PROFILE", "custom", "UPF_TEMPLATE", "/does/not/exist"))));
    assertTrue(e.getMessage().startsWith("UPF_TEMPLATE: cannot read"), e.getMessage());
  }
}
