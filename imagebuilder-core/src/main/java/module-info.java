/**
 * The imagebuilder core: {@link dev.imagebuilder.core.ImageBuilder} (backend discovery, dispatch,
 * handles, tracking, events, tickets, resume) and {@link dev.imagebuilder.core.WireFormat}.
 * Implementation, including the HTTP, download and process plumbing handed to backends, lives in
 * the unexported {@code dev.imagebuilder.core.internal} package.
 */
module dev.imagebuilder.core {
  requires transitive dev.imagebuilder.api;
  requires com.fasterxml.jackson.databind;
  requires methanol;
  requires org.slf4j;

  exports dev.imagebuilder.core;
  // Durable file replacement, for the journals of the command line and the queue worker.
  exports dev.imagebuilder.core.internal.io to dev.imagebuilder.cli, dev.imagebuilder.amqp;
  // The JDK clients' threads, stopped by the command line before it exits (ClientThreads).
  exports dev.imagebuilder.core.internal.http to dev.imagebuilder.cli;

  uses dev.imagebuilder.spi.BackendProvider;
}
