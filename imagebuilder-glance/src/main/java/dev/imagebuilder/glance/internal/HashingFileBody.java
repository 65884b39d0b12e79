package dev.imagebuilder.glance.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * A file as a request body with a Content-Length (never chunked: Glance keeps a truncated
 * chunked upload as an {@code active} image), hashed with SHA-512 and MD5 as it is sent, so
 * the file is read once. Each send (a retry sends again) starts its digests afresh. Reading
 * stops with an I/O error once {@code cancelled} says so, which aborts the request.
 */
final class HashingFileBody {
  private final Path file;
  private final long size;
  private final BooleanSupplier cancelled;
  private final LongConsumer progress;
  private volatile Digests last;

  HashingFileBody(Path file, long size, BooleanSupplier cancelled, LongConsumer progress) {
    this.file = file;
    this.size = size;
    this.cancelled = cancelled;
    this.progress = progress;
  }

  HttpRequest.BodyPublisher publisher() {
    return HttpRequest.BodyPublishers.fromPublisher(
        HttpRequest.BodyPublishers.ofInputStream(this::open), size);
  }

  /** The digests of the last send, when it read the whole file; else empty. */
  java.util.Optional<Map<String, String>> hexDigests() {
    Digests d = last;
    if (d == null || d.count != size) {
      return java.util.Optional.empty();
    }
    Map<String, String> out = new HashMap<>();
    out.put("sha512", HexFormat.of().formatHex(d.sha512.digest()));
    out.put("md5", HexFormat.of().formatHex(d.md5.digest()));
    return java.util.Optional.of(out);
  }

  private InputStream open() {
    try {
      Digests digests = new Digests();
      last = digests;
      return new Counting(Files.newInputStream(file), digests);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + file, e);
    }
  }

  private static final class Digests {
    final MessageDigest sha512 = digest("SHA-512");
    final MessageDigest md5 = digest("MD5");
    long count;
  }

  static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every Java platform", e);
    }
  }

  private final class Counting extends FilterInputStream {
    private final Digests digests;

    Counting(InputStream in, Digests digests) {
      super(in);
      this.digests = digests;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (cancelled.getAsBoolean()) {
        throw new InterruptedIOException("upload cancelled");
      }
      int n = super.read(b, off, len);
      if (n > 0) {
        digests.sha512.update(b, off, n);
        digests.md5.update(b, off, n);
        digests.count += n;
        progress.accept(digests.count);
      }
      return n;
    }
  }
}
