package dev.imagebuilder.systemimage.support;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * System tests need root and the data made by {@code .ci/setup.d/systemimage.sh}. Locally they
 * skip saying why; with {@code IMAGEBUILDER_SYSTEM_TESTS=required} (CI) they fail instead.
 */
public final class SystemTests {
  private SystemTests() {}

  public static void require(boolean condition, String why) {
    if (condition) {
      return;
    }
    if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
      fail("system test cannot run: " + why + " (IMAGEBUILDER_SYSTEM_TESTS=required)");
    }
    Assumptions.assumeTrue(false, why);
  }
}
