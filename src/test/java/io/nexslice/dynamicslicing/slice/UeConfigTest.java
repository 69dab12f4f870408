package io.nexslice.dynamicslicing.slice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class UeConfigTest {
  static final String NEXSLICE_UE = """
      supi: 'imsi-208950000000031'
      mcc: '208'
      mnc: '95'
      key: '0C0A34601D4F07677303652C0462535B'
      op: '63bfa50ee6523365ff14c1f45f88737d'
      opType: 'OPC'
      gnbSearchList: [ueransim-gnb]
      sessions:
        - type: 'IPv4'
          apn: 'oai2'
          slice:
            sst: 0x02
            sd: 0xFFFFFF
      configured-nssai:
        - sst: 2
          sd: 0xFFFFFF
      """;

  @Test
  void firstSessionGivesSliceAndDnnWithHexNumbers() {
    UeConfig.Values v = UeConfig.parse(NEXSLICE_UE);
    assertEquals(Optional.of(2), v.sst());
    assertEquals(Optional.of("FFFFFF"), v.sd());
    assertEquals(Optional.of("oai2"), v.dnn());
  }

  @Test
  void aConfigWithoutSessionsSaysNothing() {
    UeConfig.Values v = UeConfig.parse("supi: imsi-1\n");
    assertTrue(v.sst().isEmpty() && v.sd().isEmpty() && v.dnn().isEmpty());
    assertTrue(UeConfig.parse("").dnn().isEmpty());
  }

  @Test
  void malformedBinaryHugeAndAliasBombConfigsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> UeConfig.parse("sessions: [unclosed"));
    assertThrows(IllegalArgumentException.class, () -> UeConfig.parse("a\0b"));
    assertThrows(IllegalArgumentException.class, () -> UeConfig.parse("x: " + "y".repeat(UeConfig.MAX_BYTES)));
    assertThrows(IllegalArgumentException.class, () -> UeConfig.parse("- just a list"));
    assertThrows(IllegalArgumentException.class, () -> UeConfig.parse("sessions: notalist"));
    assertThrows(IllegalArgumentException.class, () -> UeConfig.parse("sessions: [{slice: {sst: 300}}]"));
    assertThrows(IllegalArgumentException.class, () -> UeConfig.parse("sessions: [{slice: {sst: 1, sd: 0x1000000}}]"));
    StringBuilder bomb = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x]\n");
    for (char c = 'b'; c <= 'z'; c++) {
      char p = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*").append(p)
          .append(",*").append(p).append("]\n");
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UeConfig.parse(bomb.toString()));
    assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
  }

  @Test
  void duplicateKeysAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> UeConfig.parse("sessions: []\nsessions: []\n"));
  }
}
