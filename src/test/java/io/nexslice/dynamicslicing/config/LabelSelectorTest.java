package io.nexslice.dynamicslicing.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {

  @Test
  void equalitySelectorMatchesOnlyTheValue() {
    LabelSelector s = LabelSelector.parse("nexslice.io/dynamic-upf=true");
    assertTrue(s.matches(Map.of("nexslice.io/dynamic-upf", "true", "x", "y")));
    assertFalse(s.matches(Map.of("nexslice.io/dynamic-upf", "false")));
    assertFalse(s.matches(Map.of()));
    assertFalse(s.matches(null));
  }

  @Test
  void setBasedAndExistenceRequirementsCombine() {
    LabelSelector s = LabelSelector.parse("app in (ueransim-ue, ueransim-ues), !skip, tier!=core, env");
    assertTrue(s.matches(Map.of("app", "ueransim-ues", "env", "lab")));
    assertFalse(s.matches(Map.of("app", "ueransim-ues", "env", "lab", "skip", "1")));
    assertFalse(s.matches(Map.of("app", "ueransim-ues", "env", "lab", "tier", "core")));
    assertFalse(s.matches(Map.of("app", "gnb", "env", "lab")));
  }

  @Test
  void notinExcludes() {
    LabelSelector s = LabelSelector.parse("app notin (a,b)");
    assertTrue(s.matches(Map.of("app", "c")));
    assertTrue(s.matches(Map.of()));
    assertFalse(s.matches(Map.of("app", "a")));
  }

  @Test
  void rubbishIsRefusedWithThePartNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("a=b, =c"));
    assertTrue(e.getMessage().contains("=c"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse(""));
    assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("a in (b"));
    assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("a=" + "v".repeat(64)));
  }
}
