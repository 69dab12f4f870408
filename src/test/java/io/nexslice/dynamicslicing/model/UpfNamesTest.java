package io.nexslice.dynamicslicing.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpfNamesTest {

  @Test
  void shortValidPodNameGetsThePlainPrefix() {
    assertEquals("upf-ueransim-ue1", UpfNames.forPod("ueransim-ue1"));
  }

  @Test
  void longestPlainNameStillFitsIn63() {
    String pod = "a".repeat(59);
    assertEquals("upf-" + pod, UpfNames.forPod(pod));
    assertEquals(63, UpfNames.forPod(pod).length());
  }

  @Test
  void dottedNameIsSanitisedAndHashed() {
    String name = UpfNames.forPod("ue.slice1.lab");
    assertTrue(Dns1035Label.isValid(name), name);
    assertTrue(name.startsWith("upf-ue-slice1-lab-"), name);
  }

  @Test
  void podNamesEqualInTheirFirst63CharactersGetDistinctValidNames() {
    String stem = "ue-" + "x".repeat(70);
    String a = UpfNames.forPod(stem + "-a");
    String b = UpfNames.forPod(stem + "-b");
    assertNotEquals(a, b);
    assertTrue(Dns1035Label.isValid(a), a);
    assertTrue(Dns1035Label.isValid(b), b);
  }

  @Test
  void maximalDottedNamesStayValidAndUnique() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String pod = ("seg" + i + ".").repeat(60).substring(0, 250) + i;
      String name = UpfNames.forPod(pod);
      assertTrue(Dns1035Label.isValid(name), name);
      assertTrue(seen.add(name), "duplicate " + name);
    }
  }

  @Test
  void nameStartingWithADigitIsStillAValidServiceName() {
    // "upf-" always starts with a letter, so the only risk is the end: "-" is trimmed.
    String name = UpfNames.forPod("9-" + "-".repeat(80) + ".x");
    assertTrue(Dns1035Label.isValid(name), name);
  }

  @Test
  void sameInputSameName() {
    String pod = "UE.Upper.Case.Pod";
    assertEquals(UpfNames.forPod(pod), UpfNames.forPod(pod));
  }

  @Test
  void labelValueIsThePodNameWhenItFitsElseTheHash() {
    assertEquals("ueransim-ue1", UpfNames.ueLabelValue("ueransim-ue1"));
    String long1 = "u".repeat(100);
    String v = UpfNames.ueLabelValue(long1);
    assertTrue(v.length() <= 63 && v.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), v);
  }
}
