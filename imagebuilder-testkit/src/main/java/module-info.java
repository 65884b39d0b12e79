/**
 * Test kit: {@code FakeLaunchpad} and {@code FakeSystemImageServer} (mockwebserver3 dispatchers
 * written from the protocol references, sharing no classes with the clients they imitate), a
 * JUnit 5 extension, and a standalone main serving both fakes on loopback with demo data.
 */
module dev.imagebuilder.testkit {
  requires transitive dev.imagebuilder.core;
  requires transitive mockwebserver3;
  requires com.fasterxml.jackson.databind;
  requires static org.junit.jupiter.api;

  // exports dev.imagebuilder.testkit;  (added with the first public class)
}
