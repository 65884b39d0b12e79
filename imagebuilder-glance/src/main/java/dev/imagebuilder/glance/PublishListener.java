package dev.imagebuilder.glance;

/** Told what a publication does; every method may be left as it is. */
public interface PublishListener {
  /** A line for the build log (never a token or a password). */
  default void log(String line) {}

  /** Bytes sent so far of {@code total}. */
  default void uploaded(long bytes, long total) {}
}
