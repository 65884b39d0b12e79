/** Measurements run by hand (docs/benchmarks.md): Launchpad tracking, downloads, start-up, promotion. */
module dev.imagebuilder.benchmarks {
  requires dev.imagebuilder.core;
  requires dev.imagebuilder.launchpad;
  requires dev.imagebuilder.registry;
  requires dev.imagebuilder.testkit;
  requires java.management;
  requires java.net.http;
}
