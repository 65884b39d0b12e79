package dev.imagebuilder.launchpad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a catalog's recipes are resolved: through the recipe's collections only (processors, and
 * push rules for a plan), never a read of the recipe itself; a recipe Launchpad does not have is
 * a clear error naming it.
 */
class RecipeResolutionTest {
  @TempDir Path dir;
  FakeLaunchpad lp;
  ImageBuilder builder;

  @BeforeEach
  void setUp() throws Exception {
    lp = FakeLaunchpad.start();
    lp.addRecipe("udi", "udi", "redis", "redis-22.04").processors("amd64", "arm64")
        .pushRule("https://registry.example", "ubuntu/redis", "bot");
    Path catalog = Files.writeString(dir.resolve("catalog.json"), """
        {"recipes": {"redis": {"22.04": "~udi/udi/+oci/redis/+recipe/redis-22.04"},
                     "ghost": {"22.04": "~udi/udi/+oci/ghost/+recipe/ghost-22.04"}}}
        """);
    builder = ImageBuilder.newBuilder()
        .environment(name -> null)
        .stateDirectory(dir.resolve("state"))
        .config("launchpad.service-root", lp.serviceRoot().toString())
        .config("launchpad.catalog", catalog.toString())
        .config("launchpad.credentials-file", lp.writeCredentials(dir.resolve("credentials")).toString())
        .build();
  }

  @AfterEach
  void tearDown() {
    builder.close();
    lp.close();
  }

  @Test
  void aPlanReadsTheRecipesCollectionsAndLinksItsWebPageWithoutReadingTheRecipe() {
    Plan plan = builder.plan(ImageRequest.oci().images("redis").build());

    assertThat(plan.targets()).extracting(PlannedTarget::key).containsExactly("redis/22.04/amd64", "redis/22.04/arm64");
    assertThat(plan.targets()).allSatisfy(t -> assertThat(t.description())
        .contains(lp.webRoot().resolve("~udi/udi/+oci/redis/+recipe/redis-22.04").toString())
        .doesNotContain("(not published"));
    assertThat(lp.requests()).extracting(c -> c.method() + " " + c.path())
        .anyMatch(c -> c.endsWith("+recipe/redis-22.04/processors"))
        .anyMatch(c -> c.endsWith("+recipe/redis-22.04/push_rules"))
        .noneMatch(c -> c.endsWith("+recipe/redis-22.04"));
  }

  @Test
  void aRecipeLaunchpadDoesNotHaveIsAnErrorNamingTheCatalogAndTheRecipe() {
    assertThatThrownBy(() -> builder.plan(ImageRequest.oci().images("ghost").build()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("launchpad.catalog")
        .hasMessageContaining("ghost 22.04")
        .hasMessageContaining(lp.serviceRoot().resolve("~udi/udi/+oci/ghost/+recipe/ghost-22.04").toString())
        .hasMessageContaining("does not exist on Launchpad");
    assertThat(lp.requests()).noneMatch(c -> c.method().equals("POST"));
  }
}
