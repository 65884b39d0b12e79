package dev.imagebuilder.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetBookTest {
  private static final Instant T = Instant.parse("2026-12-04T12:00:00Z");
  private final TargetBook book = new TargetBook("b-1", "oci");

  @Test
  void aBuildOfNoTargetsIsAnErrorNotASuccess() {
    assertThat(book.refusal(List.of()))
        .hasMessage("build b-1 (oci) has no targets; a build of nothing is an error, not a success");
    assertThatThrownBy(() -> book.declare(List.of())).isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("has no targets");
    assertThat(book.isComplete()).as("nothing was declared").isFalse();
    assertThat(book.refusal(List.of(queued("amd64")))).isNull();
  }

  @Test
  void completeOnlyOnceDeclaredAndEveryTargetTerminal() {
    book.update(state("amd64", TargetState.SUCCEEDED));
    assertThat(book.isComplete()).as("terminal, but not declared yet").isFalse();

    book.declare(List.of(queued("amd64"), queued("arm64")));
    assertThat(book.isComplete()).isFalse();
    book.update(state("amd64", TargetState.SUCCEEDED));
    assertThat(book.isComplete()).isFalse();
    book.update(state("arm64", TargetState.SUCCEEDED));

    assertThat(book.isComplete()).isTrue();
    BuildResult result = book.result(T);
    assertThat(result.status()).isEqualTo(BuildStatus.SUCCEEDED);
    assertThat(result.targets()).extracting(TargetStatus::key).containsExactly("amd64", "arm64");
  }

  @Test
  void oneFailedTargetFailsTheBuild() {
    book.declare(List.of(state("amd64", TargetState.SUCCEEDED), state("arm64", TargetState.FAILED_TO_BUILD)));

    assertThat(book.isComplete()).isTrue();
    assertThat(book.result(T).status()).isEqualTo(BuildStatus.FAILED);
    assertThat(book.failedKeys()).containsExactly("arm64");
  }

  @Test
  void declaringReplacesTheTargetsAndReportsOnlyWhatChanged() {
    TargetStatus amd64 = queued("amd64");
    book.update(amd64);
    book.update(queued("gone"));

    List<TargetBook.Change> changes = book.declare(List.of(amd64, queued("arm64")));

    assertThat(changes).containsExactly(new TargetBook.Change(null, queued("arm64")));
    assertThat(book.snapshot()).extracting(TargetStatus::key).containsExactly("amd64", "arm64");
    assertThat(book.byKey()).containsOnlyKeys("amd64", "arm64");
  }

  @Test
  void anUnchangedSnapshotIsNoChange() {
    book.declare(List.of(queued("amd64")));

    assertThat(book.update(queued("amd64"))).isEmpty();
    assertThat(book.update(state("amd64", TargetState.BUILDING)))
        .contains(new TargetBook.Change(queued("amd64"), state("amd64", TargetState.BUILDING)));
  }

  @Test
  void cancellingMovesOpenTargetsThroughCancellingToCancelled() {
    book.declare(List.of(state("amd64", TargetState.SUCCEEDED), state("arm64", TargetState.BUILDING)));

    assertThat(book.cancelling()).extracting(c -> c.current().state()).containsExactly(TargetState.CANCELLING);
    assertThat(book.isComplete()).isFalse();
    assertThat(book.cancelled(null)).extracting(c -> c.current().state()).containsExactly(TargetState.CANCELLED);

    assertThat(book.isComplete()).isTrue();
    assertThat(book.byKey().get("amd64").state()).isEqualTo(TargetState.SUCCEEDED);
  }

  @Test
  void aFailedRemoteCancelLeavesTheTargetWithTheError() {
    book.declare(List.of(state("arm64", TargetState.BUILDING)));
    book.cancelling();

    List<TargetBook.Change> changes = book.cancelled("remote cancel failed: 503");

    assertThat(changes).singleElement()
        .satisfies(c -> assertThat(c.current().errorSummary()).isEqualTo("remote cancel failed: 503"));
  }

  private static TargetStatus queued(String key) {
    return TargetStatus.queued(key, Map.of("arch", key));
  }

  private static TargetStatus state(String key, TargetState state) {
    return queued(key).withState(state, state.name());
  }
}
