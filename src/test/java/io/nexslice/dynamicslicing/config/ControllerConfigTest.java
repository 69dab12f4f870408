package io.nexslice.dynamicslicing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControllerConfigTest {

  @Test
  void defaultsMatchTheDocumentation() {
    ControllerConfig c = ControllerConfig.fromEnvironment(Map.of());
    assertEquals(List.of("nexslice"), c.watchNamespaces());
    assertEquals("nexslice.io/dynamic-upf=true", c.ueSelector().text());
    assertEquals("oaisoftwarealliance/oai-upf:v2.1.0", c.upfImage());
    assertEquals(1, c.upfReplicas());
    assertEquals(8080, c.httpPort());
    assertEquals(4, c.workers());
  }

  @Test
  void namespaceListIsTrimmedAndDeduplicated() {
    ControllerConfig c = ControllerConfig.fromEnvironment(Map.of("WATCH_NAMESPACES", " a, b ,a,"));
    assertEquals(List.of("a", "b"), c.watchNamespaces());
    assertTrue(ControllerConfig.fromEnvironment(Map.of("WATCH_NAMESPACES", "*")).watchesAllNamespaces());
  }

  @Test
  void badValuesNameTheVariable() {
    assertMessage("WATCH_NAMESPACES", Map.of("WATCH_NAMESPACES", "Bad_NS"));
    assertMessage("UE_SELECTOR", Map.of("UE_SELECTOR", "a in (b"));
    assertMessage("UPF_IMAGE", Map.of("UPF_IMAGE", "img; rm -rf /"));
    assertMessage("UPF_REPLICAS", Map.of("UPF_REPLICAS", "-1"));
    assertMessage("UPF_REPLICAS", Map.of("UPF_REPLICAS", "two"));
    assertMessage("HTTP_PORT", Map.of("HTTP_PORT", "70000"));
    assertMessage("WORKER_COUNT", Map.of("WORKER_COUNT", "0"));
  }

  private static void assertMessage(String variable, Map<String, String> env) {
    ConfigException e = assertThrows(ConfigException.class, () -> ControllerConfig.fromEnvironment(env));
    assertTrue(e.getMessage().startsWith(variable + ":"), e.getMessage());
  }
}
