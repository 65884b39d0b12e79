/** FakeLaunchpad and FakeSystemImageServer (mockwebserver3), a JUnit 5 extension and a standalone fake-server main. */
module dev.imagebuilder.testkit {
  requires dev.imagebuilder.core;
}
