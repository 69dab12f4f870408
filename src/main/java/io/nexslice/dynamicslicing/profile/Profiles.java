package io.nexslice.dynamicslicing.profile;

import io.nexslice.dynamicslicing.config.ConfigException;
import io.nexslice.dynamicslicing.config.ControllerConfig;
import io.nexslice.dynamicslicing.model.UeRef;
import io.nexslice.dynamicslicing.slice.Slice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Picks the profile the operator chose, and proves at start that it renders. */
public final class Profiles {
  private Profiles() {}

  public static UpfProfile fromConfig(ControllerConfig config) {
    UpfProfile profile = switch (config.upfProfile()) {
      case OaiUpfProfile.NAME -> new OaiUpfProfile();
      case Free5gcUpfProfile.NAME -> new Free5gcUpfProfile();
      case CustomUpfProfile.NAME -> custom(config.upfTemplate().orElseThrow(), config.upfImage());
      default -> throw new ConfigException("UPF_PROFILE: '" + config.upfProfile() + "' is unknown");
    };
    try {
      // Render once with sample values: a broken template stops the start, not the first UE.
      profile.render(new UpfSpec(new UeRef("check", "check-ue", "0"), "upf-check-ue", "check",
          new Slice(1, Optional.of("FFFFFF"), "oai"), config.pool().block(0),
          config.upfImage().orElse(profile.defaultImage()), config.nrfHosts().forSst(1)));
    } catch (RuntimeException e) {
      throw new ConfigException("UPF_PROFILE=" + profile.name() + " does not render: " + e.getMessage());
    }
    return profile;
  }

  private static CustomUpfProfile custom(Path template, Optional<String> image) {
    String text;
    try {
      text = Files.readString(template);
    } catch (IOException e) {
      throw new ConfigException("UPF_TEMPLATE: cannot read " + template + ": " + e.getMessage());
    }
    CustomUpfProfile profile;
    try {
      profile = new CustomUpfProfile(text, "UPF_TEMPLATE " + template);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    if (profile.usesImagePlaceholder() && image.isEmpty()) {
      throw new ConfigException("UPF_IMAGE: required, the template " + template + " uses ${IMAGE}");
    }
    return profile;
  }
}
