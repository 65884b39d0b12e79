/** Measurements of the Launchpad backend and of promotion against the test kit's fakes; run by hand. */
module dev.imagebuilder.benchmarks {
  requires dev.imagebuilder.core;
  requires dev.imagebuilder.launchpad;
  requires dev.imagebuilder.registry;
  requires dev.imagebuilder.testkit;
  requires java.management;
}
