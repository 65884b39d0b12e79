package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.core.ImageBuilder;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JUnit extension, the catalog and credentials files it hands to an ImageBuilder. */
class FakeLaunchpadExtensionTest {
  private static final List<FakeLaunchpad> SEEN_PER_TEST = new ArrayList<>();

  @Nested
  @ExtendWith(FakeLaunchpadExtension.class)
  class PerTest {
    @Test
    void resolvesARunningFake(FakeLaunchpad lp) {
      SEEN_PER_TEST.add(lp);
      HttpResponse<String> r = new Client(lp.credentials()).get(lp.serviceRoot().toString());
      assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void resolvesAnImageBuilderAndTheSameFake(FakeLaunchpad lp, ImageBuilder builder, FakeLaunchpad again) {
      SEEN_PER_TEST.add(lp);
      assertThat(builder).isNotNull();
      assertThat(again).isSameAs(lp);
    }
  }

  @Nested
  class WithDemoData {
    @RegisterExtension
    final FakeLaunchpadExtension extension = FakeLaunchpadExtension.perTest().withDemoData();

    @Test
    void installsDemoData(FakeLaunchpad lp) {
      JsonNode recipe = new Client(lp.credentials()).getJson(
          lp.serviceRoot() + "~ubuntu-docker-images/ubuntu-docker-images/+oci/postgres/+recipe/postgres-24.04");
      assertThat(recipe.get("name").asText()).isEqualTo("postgres-24.04");
    }
  }

  private static final List<ImageBuilder> CLASS_BUILDERS = new ArrayList<>();
  private static final List<Path> CLASS_FILES = new ArrayList<>();

  @Nested
  @org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
  class ImageBuilderOfBeforeAll {
    @RegisterExtension
    final FakeLaunchpadExtension extension = FakeLaunchpadExtension.perClass();

    @org.junit.jupiter.api.BeforeAll
    void setUp(FakeLaunchpad lp, ImageBuilder builder) throws IOException {
      CLASS_BUILDERS.add(builder);
      // The extension's directory for this builder: the one whose credentials are this fake's.
      String token = "access_token = " + lp.credentials().accessToken();
      try (var dirs = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")), "fake-launchpad*")) {
        for (Path dir : dirs) {
          Path credentials = dir.resolve("launchpad-credentials");
          if (Files.isReadable(credentials) && Files.readString(credentials).contains(token)) {
            CLASS_FILES.add(dir);
          }
        }
      }
    }

    @Test
    void isUsableInTheTests(ImageBuilder builder) {
      assertThat(builder).isSameAs(CLASS_BUILDERS.get(0));
      assertThat(CLASS_FILES).hasSize(1);
    }
  }

  @AfterAll
  static void anImageBuilderResolvedForBeforeAllIsClosedWithItsFilesAfterTheClass() {
    assertThat(CLASS_BUILDERS).hasSize(1);
    assertThatThrownBy(() -> CLASS_BUILDERS.get(0).submit(dev.imagebuilder.api.ImageRequest.oci().build()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(CLASS_FILES).hasSize(1);
    assertThat(CLASS_FILES.get(0)).as("the credentials and catalog directory").doesNotExist();
  }

  @AfterAll
  static void eachTestHadItsOwnFakeAndItIsClosed() {
    assertThat(SEEN_PER_TEST).hasSize(2);
    assertThat(SEEN_PER_TEST.get(0)).isNotSameAs(SEEN_PER_TEST.get(1));
    for (FakeLaunchpad lp : SEEN_PER_TEST) {
      assertThat(Client.anonymous().sendQuietly(lp.serviceRoot().toString())).as("closed").isFalse();
    }
  }

  @Test
  void catalogFollowsAddedRecipes(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    try (FakeLaunchpad lp = FakeLaunchpad.start()) {
      Path catalog = lp.writeCatalog(dir.resolve("catalog.json"));
      lp.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", "redis", "redis-22.04");
      lp.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", "redis", "redis-24.04");
      lp.addRecipe("someone", "other", "nginx", "nginx-edge", "20.04");
      lp.addRecipe("someone", "other", "nginx", "no-series");

      JsonNode json = Client.parse(Files.readString(catalog));
      assertThat(json.get("recipes").get("redis").get("22.04").asText())
          .isEqualTo("~ubuntu-docker-images/ubuntu-docker-images/+oci/redis/+recipe/redis-22.04");
      assertThat(json.get("recipes").get("redis").get("24.04").asText()).endsWith("/+recipe/redis-24.04");
      assertThat(json.get("recipes").get("nginx").get("20.04").asText()).isEqualTo("~someone/other/+oci/nginx/+recipe/nginx-edge");
      assertThat(json.get("recipes").get("nginx").size()).isEqualTo(1);
      assertThat(json.has("template")).isFalse();
      // every catalogued path resolves against the service root
      Client client = new Client(lp.credentials());
      assertThat(client.get(lp.serviceRoot() + json.get("recipes").get("nginx").get("20.04").asText()).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void credentialsFileIsLaunchpadlibsFormatWithMode0600(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    try (FakeLaunchpad lp = FakeLaunchpad.start()) {
      Path file = lp.writeCredentials(dir.resolve("credentials"));

      LaunchpadCredentials c = lp.credentials();
      assertThat(Files.readAllLines(file)).containsExactly("[1]", "consumer_key = " + c.consumerKey(),
          "consumer_secret = ", "access_token = " + c.accessToken(), "access_secret = " + c.accessSecret(), "");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      assertThat(c.toString()).doesNotContain(c.accessSecret());
    }
  }
}
