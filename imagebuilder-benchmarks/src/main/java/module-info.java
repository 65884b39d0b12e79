/** Measurements of the Launchpad backend against the test kit's FakeLaunchpad; run by hand. */
module dev.imagebuilder.benchmarks {
  requires dev.imagebuilder.core;
  requires dev.imagebuilder.launchpad;
  requires dev.imagebuilder.testkit;
  requires java.management;
}
