package io.nexslice.dynamicslicing.slice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.model.Dns1035Label;
import io.nexslice.dynamicslicing.model.UpfNames;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SliceGroupTest {

  @Test
  void groupKeysRoundTripAndNeverLookLikePodNames() {
    for (Slice s : new Slice[] {new Slice(1, Optional.of("FFFFFF"), "oai"), new Slice(255, Optional.empty(), "a.b-c")}) {
      SliceGroup g = new SliceGroup("ns", s);
      assertTrue(SliceGroup.isGroupKey(g.key()));
      assertEquals(g, SliceGroup.parse("ns", g.key()));
    }
    assertFalse(SliceGroup.isGroupKey("ueransim-ue1"));
    assertThrows(IllegalArgumentException.class, () -> SliceGroup.parse("ns", "slice:1/FFFFFF"));
    assertThrows(IllegalArgumentException.class, () -> SliceGroup.parse("ns", "slice:999/-/oai"));
  }

  @Test
  void sharedUpfNamesAreReadableAndValid() {
    assertEquals("upf-sst1-ffffff-oai", UpfNames.forSlice(new Slice(1, Optional.of("FFFFFF"), "oai")));
    assertEquals("upf-sst2-nosd-oai2", UpfNames.forSlice(new Slice(2, Optional.empty(), "oai2")));
    String dotted = UpfNames.forSlice(new Slice(1, Optional.empty(), "internet.mnc095.mcc208.gprs"));
    assertTrue(Dns1035Label.isValid(dotted), dotted);
  }

  @Test
  void replicasAreFixedOrFollowTheUeCountWithinBounds() {
    ControllerConfig fixed = ControllerConfig.fromEnvironment(Map.of("UPF_REPLICAS", "2"));
    assertEquals(2, fixed.replicasFor(50));
    ControllerConfig scaled = ControllerConfig.fromEnvironment(Map.of("UPF_UES_PER_REPLICA", "10", "UPF_MAX_REPLICAS", "4"));
    assertEquals(1, scaled.replicasFor(1));
    assertEquals(1, scaled.replicasFor(10));
    assertEquals(2, scaled.replicasFor(11));
    assertEquals(4, scaled.replicasFor(1000));
  }
}
