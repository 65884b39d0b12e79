/**
 * Test kit: {@code FakeLaunchpad} and {@code FakeSystemImageServer} (mockwebserver3 dispatchers
 * written from the protocol references, sharing no classes with the clients they imitate),
 * {@code FakeOpenStack} (Keystone and Glance, on the JDK's HTTP server), {@code FakeBackend} (a
 * scripted backend over the SPI) with {@code TestBackendContext}, a JUnit 5 extension, and a
 * standalone main serving both fakes on loopback with demo data.
 */
module dev.imagebuilder.testkit {
  requires transitive dev.imagebuilder.core;
  requires transitive mockwebserver3;
  requires okhttp3;
  requires okio;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires static org.junit.jupiter.api;
  requires org.bouncycastle.pg;
  requires org.bouncycastle.provider;
  requires org.apache.commons.compress;
  requires org.tukaani.xz;
  requires jdk.httpserver;

  exports dev.imagebuilder.testkit;

  // FakeBackend.discovered(): unavailable unless imagebuilder.fake.enabled=true, lowest priority.
  provides dev.imagebuilder.spi.BackendProvider
      with dev.imagebuilder.testkit.internal.backend.DiscoveredFakeBackendProvider;
}
