package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One fake shared by the tests of a class, with settings applied before it starts. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FakeLaunchpadPerClassTest {
  @RegisterExtension
  static final FakeLaunchpadExtension LAUNCHPAD =
      FakeLaunchpadExtension.perClass().configure(b -> b.phase(Duration.ofSeconds(5)));

  private static final AtomicReference<FakeLaunchpad> FIRST = new AtomicReference<>();

  @Test
  @Order(1)
  void firstTestAddsARecipe(FakeLaunchpad lp) {
    FIRST.set(lp);
    assertThat(lp.phase()).isEqualTo(Duration.ofSeconds(5));
    lp.addRecipe("team", "project", "redis", "redis-22.04");
  }

  @Test
  @Order(2)
  void secondTestSeesTheSameFake(FakeLaunchpad lp) {
    assertThat(lp).isSameAs(FIRST.get());
    assertThat(new Client(lp.credentials()).get(lp.serviceRoot() + "~team/project/+oci/redis/+recipe/redis-22.04")
        .statusCode()).isEqualTo(200);
  }
}
