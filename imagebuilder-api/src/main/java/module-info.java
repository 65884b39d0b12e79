/**
 * The imagebuilder API: requests, value types, build handles, events and exceptions
 * ({@code dev.imagebuilder.api}), and the backend SPI ({@code dev.imagebuilder.spi}).
 * Depends on the JDK only.
 */
module dev.imagebuilder.api {
  requires transitive java.net.http;

  exports dev.imagebuilder.api;
  exports dev.imagebuilder.spi;
}
