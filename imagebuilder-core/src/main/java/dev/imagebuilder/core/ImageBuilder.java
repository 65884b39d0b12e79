package dev.imagebuilder.core;

import dev.imagebuilder.api.BuildBatch;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildListener;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.spi.BackendProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/** SKELETON: implementation in progress. */
public final class ImageBuilder implements AutoCloseable {
  public static ImageBuilder create() { return newBuilder().build(); }
  public static Builder newBuilder() { return new Builder(); }
  public BuildHandle submit(ImageRequest request) { throw new IllegalStateException("skeleton"); }
  public BuildBatch submitAll(List<? extends ImageRequest> requests) { throw new IllegalStateException("skeleton"); }
  public Plan plan(ImageRequest request) { throw new IllegalStateException("skeleton"); }
  public BuildHandle resume(Ticket ticket) { throw new IllegalStateException("skeleton"); }
  @Override public void close() {}

  public static final class Builder {
    /** Registers a backend provider; registered providers win over discovered ones. */
    public Builder backend(BackendProvider provider) { return this; }
    /** A configuration value: key {@code <backend>.<key>} such as {@code launchpad.service-root}, or {@code backend.<image_type>}. */
    public Builder config(String key, String value) { return this; }
    /** Where environment variables are read from (default {@code System::getenv}); for tests. */
    public Builder environment(Function<String, String> environment) { return this; }
    public Builder clock(Clock clock) { return this; }
    /** A listener added to every build this builder submits or resumes. */
    public Builder listener(BuildListener listener) { return this; }
    /** Builds still running this long after submission are cancelled. */
    public Builder deadline(Duration deadline) { return this; }
    public Builder stateDirectory(Path directory) { return this; }
    public Builder workerThreads(int threads) { return this; }
    public ImageBuilder build() { return new ImageBuilder(); }
  }
}
