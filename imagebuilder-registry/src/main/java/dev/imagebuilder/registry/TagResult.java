package dev.imagebuilder.registry;

import java.util.Objects;

/**
 * What promotion did to one tag.
 *
 * @param target the tag written (or that would be written)
 * @param outcome what happened
 * @param previousDigest what the tag pointed at before, or {@code null} when it did not exist
 * @param error the registry's message when {@link Outcome#FAILED}, else {@code null}
 */
public record TagResult(ImageReference target, Outcome outcome, String previousDigest, String error) {
  /** What happened to one tag. */
  public enum Outcome {
    /** The tag now points at the promoted digest. */
    WRITTEN,
    /** It already pointed there; nothing was written. */
    UNCHANGED,
    /** Dry run: it would be written. */
    WOULD_WRITE,
    /** The registry refused or failed; {@link TagResult#error()} says why. */
    FAILED
  }

  public TagResult {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(outcome, "outcome");
  }

  public boolean failed() {
    return outcome == Outcome.FAILED;
  }
}
