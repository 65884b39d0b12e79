package dev.imagebuilder.amqp.internal;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.Ticket;

/** What a worker needs from the local {@code ImageBuilder}: submitting and resuming. */
public interface Builds {
  BuildHandle submit(ImageRequest request);

  BuildHandle resume(Ticket ticket);
}
