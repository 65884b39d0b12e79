/** Measurements run by hand (docs/benchmarks.md): Launchpad tracking, downloads, start-up. */
module dev.imagebuilder.benchmarks {
  requires dev.imagebuilder.core;
  requires dev.imagebuilder.launchpad;
  requires dev.imagebuilder.testkit;
  requires java.management;
  requires java.net.http;
}
