/**
 * The {@code image-builder} command: OCI mass rebuilds on Launchpad, wire-format submissions of
 * every image type, resume, cancel and status from a state journal, Launchpad login, the fake
 * servers and the queue worker. Its only public type is {@link dev.imagebuilder.cli.Main}.
 */
module dev.imagebuilder.cli {
  requires dev.imagebuilder.core;
  requires dev.imagebuilder.launchpad;
  requires dev.imagebuilder.testkit;
  requires dev.imagebuilder.amqp;
  requires info.picocli;
  requires org.jline;
  // JLine registers SIGWINCH (the live table follows resizes) through sun.misc.Signal, reflectively:
  // requiring the module resolves it on the module path too.
  requires jdk.unsupported;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.imagebuilder.cli;

  // picocli reads the command classes' annotations and sets their fields reflectively.
  opens dev.imagebuilder.cli.internal to info.picocli;
}
