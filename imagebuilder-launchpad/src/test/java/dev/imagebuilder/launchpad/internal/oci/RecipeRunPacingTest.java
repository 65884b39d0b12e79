package dev.imagebuilder.launchpad.internal.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.Series;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The polling back-off of one build request (doubling while quiet, back to base on a change), and
 * the pace of the poll cycles that carry the reads.
 */
class RecipeRunPacingTest {
  private static final Duration BASE = Duration.ofSeconds(30);
  private static final Duration CAP = Duration.ofMinutes(4);
  private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

  private final RecipeRun run = new RecipeRun("r0", new Catalog.Entry("redis", Series.of("22.04"), "~o/p/+oci/redis/+recipe/r"),
      URI.create("https://api.launchpad.net/devel/~o/p/+oci/redis/+recipe/r"), 1);
  private final Target target = new Target("redis/22.04/amd64", "amd64", run,
      TargetStatus.queued("redis/22.04/amd64", java.util.Map.of()));

  RecipeRunPacingTest() {
    run.targets.put("amd64", target);
  }

  @Test
  void quietReadsDoubleTheWaitUpToTheCap() {
    run.read(false, T0, BASE, CAP);
    assertThat(run.nextPollAt).isEqualTo(T0.plus(BASE.multipliedBy(2)));
    run.read(false, T0, BASE, CAP);
    assertThat(run.nextPollAt).isEqualTo(T0.plus(BASE.multipliedBy(4)));
    for (int i = 0; i < 10; i++) {
      run.read(false, T0, BASE, CAP);
    }
    assertThat(run.nextPollAt).isEqualTo(T0.plus(CAP));
  }

  @Test
  void aChangeBringsBackTheBaseInterval() {
    for (int i = 0; i < 5; i++) {
      run.read(false, T0, BASE, CAP);
    }
    run.read(true, T0, BASE, CAP);
    assertThat(run.nextPollAt).isEqualTo(T0.plus(BASE));
  }

  @Test
  void aPublishingTargetIsWatchedAtTheBaseInterval() {
    target.status = target.status.withState(TargetState.PUBLISHING, "Successfully built / Pending");
    run.read(false, T0, BASE, CAP);
    run.read(false, T0, BASE, CAP);
    assertThat(run.nextPollAt).isEqualTo(T0.plus(BASE));
  }

  @Test
  void aWaitThatWouldPassTheExpectedEndOfABuildEndsThere() {
    for (int i = 0; i < 10; i++) {
      run.read(false, T0, BASE, CAP); // the wait is at the cap, 4 minutes
    }
    run.expectedEnd = T0.plusSeconds(100);

    run.read(false, T0, BASE, CAP);

    assertThat(run.nextPollAt).isEqualTo(T0.plusSeconds(100));
  }

  @Test
  void theFirstReadAtOrAfterTheExpectedEndComesBackToTheBaseInterval() {
    for (int i = 0; i < 10; i++) {
      run.read(false, T0, BASE, CAP);
    }
    run.expectedEnd = T0.plusSeconds(100);
    run.read(false, T0, BASE, CAP);
    Instant due = run.nextPollAt;

    run.read(false, due, BASE, CAP); // nothing new, but Launchpad expected the end by now

    assertThat(run.nextPollAt).isEqualTo(due.plus(BASE));
    run.read(false, run.nextPollAt, BASE, CAP);
    assertThat(run.nextPollAt).as("then quiet reads double the wait again").isEqualTo(due.plus(BASE).plus(BASE.multipliedBy(2)));
  }

  @Test
  void anExpectedEndIsNoReasonToReadSoonerThanTheBaseInterval() {
    run.read(false, T0, BASE, CAP);
    run.expectedEnd = T0.plusSeconds(5);

    run.read(false, T0, BASE, CAP);

    assertThat(run.nextPollAt).isEqualTo(T0.plus(BASE));
  }

  @Test
  void anExpectedEndAlreadyPastOrFartherThanTheWaitChangesNothing() {
    run.expectedEnd = T0.minusSeconds(60); // the build runs longer than Launchpad estimated
    run.read(false, T0, BASE, CAP);
    assertThat(run.nextPollAt).isEqualTo(T0.plus(BASE.multipliedBy(2)));

    run.expectedEnd = T0.plus(Duration.ofHours(1));
    run.read(false, T0, BASE, CAP);
    assertThat(run.nextPollAt).isEqualTo(T0.plus(BASE.multipliedBy(4)));
  }

  @Test
  void aReadIsDueHalfAnIntervalEarlyButNotBefore() {
    run.read(true, T0, BASE, CAP);
    assertThat(run.dueForRead(T0.plus(BASE).minusSeconds(15), BASE)).isTrue();
    assertThat(run.dueForRead(T0.plus(BASE).minusSeconds(16), BASE)).isFalse();
  }

  /**
   * Regression (issue #16): the next cycle was scheduled one interval after the last one ended, so
   * with many recipes each cycle came later by the time the one before took, and a build's end
   * was seen up to 1.3 s after it with a 1 s interval.
   */
  @Test
  void theNextCycleIsDueOneIntervalAfterTheLastOneStarted() {
    Duration interval = Duration.ofSeconds(1);

    assertThat(OciBuildJob.untilNextCycle(T0, T0.plusMillis(300), interval)).isEqualTo(Duration.ofMillis(700));
    assertThat(OciBuildJob.untilNextCycle(T0, T0, interval)).isEqualTo(interval);
    assertThat(OciBuildJob.untilNextCycle(T0, T0.plusMillis(1_500), interval)).as("a cycle that took longer")
        .isEqualTo(Duration.ZERO);
    assertThat(OciBuildJob.untilNextCycle(T0, T0.minusSeconds(5), interval)).as("the clock set back")
        .isEqualTo(interval);
  }
}
