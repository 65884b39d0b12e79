package dev.imagebuilder.amqp.internal;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.api.TicketJournal;

/** What a worker needs from the local {@code ImageBuilder}: submitting and resuming. */
public interface Builds {
  /** Submits; {@code journal} gets the build's ticket before every remote call it makes. */
  BuildHandle submit(ImageRequest request, TicketJournal journal);

  /** Re-attaches; {@code journal} gets the build's ticket from now on. */
  BuildHandle resume(Ticket ticket, TicketJournal journal);
}
