package dev.imagebuilder.testkit.internal.launchpad;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import okio.Buffer;

/** The shapes of Launchpad's answers: JSON, plain text errors, the OAuth challenge, HTML pages, OOPSes. */
final class Responses {
  static final String JSON = "application/json";
  static final String WADL = "application/vnd.sun.wadl+xml";
  private static final String CHALLENGE = "OAuth realm=\"https://api.launchpad.net\"";

  private Responses() {}

  static MockResponse.Builder json(int code, Object body) {
    // Exactly "application/json": launchpadlib's first factory operation fails on "; charset=...".
    return new MockResponse.Builder().code(code).setHeader("Content-Type", JSON).body(Json.write(body));
  }

  static MockResponse.Builder text(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "text/plain").body(body);
  }

  /** 401 with the challenge Launchpad sends. */
  static MockResponse.Builder unauthorized(String body) {
    return text(401, body).setHeader("WWW-Authenticate", CHALLENGE);
  }

  /** An {@link ApiError} as Launchpad answers it (a 401 with the challenge). */
  static MockResponse.Builder error(ApiError e) {
    return e.status == 401 ? unauthorized(e.getMessage()) : text(e.status, e.getMessage());
  }

  /** 500 with an OOPS id, as Launchpad reports its own failures. */
  static MockResponse.Builder oops(String body) {
    return text(500, body).setHeader("X-Lazr-OopsId", "OOPS-" + HexFormat.of().formatHex(randomBytes()));
  }

  static MockResponse.Builder html(String body) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/html; charset=UTF-8")
        .body("<!DOCTYPE html><html><head><title>Fake Launchpad</title></head><body><p>" + body + "</p></body></html>");
  }

  static MockResponse.Builder redirect(int code, String location) {
    return new MockResponse.Builder().code(code).setHeader("Location", location);
  }

  /** A gzip-compressed download, as the librarian serves build logs. */
  static MockResponse.Builder gzipped(String text) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/octet-stream")
        .body(new Buffer().write(gzip(text)));
  }

  /** Sets the status line with the reason phrase Launchpad's server sends. */
  static MockResponse.Builder withStatusLine(MockResponse.Builder builder) {
    return builder.status("HTTP/1.1 " + builder.getCode() + " " + reason(builder.getCode()));
  }

  static String reason(int code) {
    return switch (code) {
      case 200 -> "OK";
      case 201 -> "Created";
      case 301 -> "Moved Permanently";
      case 303 -> "See Other";
      case 304 -> "Not Modified";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[4];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private static byte[] gzip(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
