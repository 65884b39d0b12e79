package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bad set-up input is refused with a message naming what and which value. */
class FakeLaunchpadSetupTest {
  @Test
  void badNamesAreRefused() {
    try (FakeLaunchpad lp = FakeLaunchpad.start()) {
      assertThatThrownBy(() -> lp.addRecipe("Team", "p", "redis", "redis-22.04"))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("owner is not a valid Launchpad name: Team");
      assertThatThrownBy(() -> lp.addRecipe("team", "p", "re/dis", "redis-22.04"))
          .hasMessage("OCI project is not a valid Launchpad name: re/dis");
      assertThatThrownBy(() -> lp.addRecipe("team", "p", "redis", "redis", "jammy"))
          .hasMessage("series must look like 22.04: jammy");
      assertThatThrownBy(() -> lp.addOciProject("no-such-project", "redis"))
          .hasMessage("no such project: no-such-project (addProject first)");
    }
  }

  @Test
  void duplicateRecipesAndUnknownArchitecturesAreRefused() {
    try (FakeLaunchpad lp = FakeLaunchpad.start()) {
      RecipeHandle recipe = lp.addRecipe("team", "p", "redis", "redis-22.04");
      assertThatThrownBy(() -> lp.addRecipe("team", "p", "redis", "redis-22.04"))
          .hasMessage("recipe exists: ~team/p/+oci/redis/+recipe/redis-22.04");
      assertThatThrownBy(() -> recipe.processors("amd64", "vax"))
          .hasMessageStartingWith("unknown processor: vax");
      assertThatThrownBy(() -> lp.script(recipe, "m68k")).hasMessageStartingWith("unknown architecture: m68k");
      assertThat(recipe.processors()).containsExactly("amd64", "arm64", "armhf", "ppc64el", "s390x");
    }
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> FakeLaunchpad.builder().port(70000)).hasMessage("port out of range: 70000");
    assertThatThrownBy(() -> FakeLaunchpad.builder().phase(Duration.ZERO).start())
        .hasMessage("phase duration must be positive: PT0S");
    try (FakeLaunchpad lp = FakeLaunchpad.start()) {
      assertThatThrownBy(() -> lp.advance(Duration.ofSeconds(-1)))
          .hasMessageContaining("cannot move the build farm clock back");
      assertThatThrownBy(() -> lp.faults().serverErrors(0)).hasMessage("times must be at least 1: 0");
    }
  }
}
