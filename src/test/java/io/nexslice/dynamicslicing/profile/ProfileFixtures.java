package io.nexslice.dynamicslicing.profile;

import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.slice.Slice;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.Yaml;

final class ProfileFixtures {
  private ProfileFixtures() {}

  static UpfSpec spec(String image) {
    return new UpfSpec(new UeRef("nexslice", "ueransim-ue1", "uid-1"), "upf-ueransim-ue1", "nexslice",
        new Slice(2, Optional.of("FFFFFF"), "oai2"), "12.2.5.0/24", image, "oai-nrf");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(String text) {
    return new Yaml().load(text);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }
}
