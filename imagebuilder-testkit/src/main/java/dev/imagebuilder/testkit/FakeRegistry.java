package dev.imagebuilder.testkit;

import dev.imagebuilder.testkit.internal.registry.FakeImages;
import dev.imagebuilder.testkit.internal.registry.RegistryDispatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import mockwebserver3.MockWebServer;

/**
 * An in-process OCI registry (distribution API v2, mockwebserver3) written from the distribution
 * spec: manifests stored as the exact bytes PUT, blobs, uploads, cross-repository mount, tag
 * lists, registry 2.8.2's Accept behaviour, the spec's error bodies, Basic or Bearer token auth
 * with challenges (tokens from {@code /token} on the same server; anonymous tokens may only
 * pull; {@code insufficient_scope} when a token lacks an action), and injectable faults.
 *
 * <pre>{@code
 * try (FakeRegistry registry = FakeRegistry.builder().bearer("builder", "s3cret").build().start()) {
 *   String digest = registry.pushImage("ubuntu/redis", "1.21-22.04_edge", List.of("amd64", "arm64"));
 *   registry.fail("ubuntu/redis", FakeRegistry.Fault.TOO_MANY_REQUESTS, 1);
 *   ...
 *   assertThat(registry.digest("ubuntu/redis", "1.21-22.04_beta")).contains(digest);
 * }
 * }</pre>
 */
public final class FakeRegistry implements AutoCloseable {
  /** Faults injected before a request to a repository is served. */
  public enum Fault {
    /** 429 TOOMANYREQUESTS with {@code Retry-After: 1}. */
    TOO_MANY_REQUESTS,
    /** 503 with {@code Retry-After: 1}. */
    UNAVAILABLE,
    /** 403 DENIED "requested access to the resource is denied", for writes only. */
    DENIED
  }

  private final RegistryDispatcher dispatcher;
  private final MockWebServer server = new MockWebServer();

  private FakeRegistry(Builder b) {
    this.dispatcher = new RegistryDispatcher(b.mode, b.user, b.password, b.tokenField);
    server.setDispatcher(dispatcher);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts on a free loopback port. */
  public FakeRegistry start() {
    return start(0);
  }

  public FakeRegistry start(int port) {
    try {
      server.start(InetAddress.getLoopbackAddress(), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI uri() {
    String u = server.url("/").toString();
    return URI.create(u.substring(0, u.length() - 1));
  }

  /** {@code 127.0.0.1:<port>}, the key credentials are filed under. */
  public String host() {
    return uri().getRawAuthority();
  }

  /**
   * Stores a multi-architecture image as Launchpad pushes one: per architecture a Docker
   * schema2 manifest (by digest) with a config and a layer blob, then a Docker manifest list
   * (Python {@code json.dumps} spacing) under {@code tag}. The content depends on the
   * repository, tag and architectures only.
   *
   * @return the manifest list's digest
   */
  public String pushImage(String repository, String tag, List<String> architectures) {
    return pushImage(repository, tag, architectures, repository + ":" + tag);
  }

  /** As {@link #pushImage(String, String, List)}, with content derived from {@code seed}. */
  public String pushImage(String repository, String tag, List<String> architectures, String seed) {
    Objects.requireNonNull(repository, "repository");
    FakeImages.MultiArch image = FakeImages.build(seed, architectures);
    for (FakeImages.ArchImage a : image.images()) {
      a.blobs().values().forEach(bytes -> dispatcher.putBlob(repository, bytes));
      dispatcher.putManifest(repository, a.digest(), a.manifest(), FakeImages.DOCKER_MANIFEST);
    }
    dispatcher.putManifest(repository, tag, image.list(), FakeImages.DOCKER_LIST);
    return image.digest();
  }

  /** The digest a tag points at, if it exists. */
  public Optional<String> digest(String repository, String tag) {
    return dispatcher.tagDigest(repository, tag);
  }

  /** The stored bytes under a tag or digest. */
  public Optional<byte[]> manifest(String repository, String reference) {
    return dispatcher.manifestBytes(repository, reference);
  }

  public List<String> tags(String repository) {
    return dispatcher.tags(repository);
  }

  public boolean hasBlob(String repository, String digest) {
    return dispatcher.hasBlob(repository, digest);
  }

  /** Injects {@code fault} for the next {@code times} matching requests ({@code -1}: all); null repository: any. */
  public void fail(String repository, Fault fault, int times) {
    dispatcher.fault(repository, RegistryDispatcher.Fault.valueOf(fault.name()), times);
  }

  public void clearFaults() {
    dispatcher.clearFaults();
  }

  /** Every request served, as {@code METHOD /path?query}, in order. */
  public List<String> requests() {
    return dispatcher.requests();
  }

  public int requestCount() {
    return dispatcher.requests().size();
  }

  /** Blob bytes clients uploaded (PATCH and PUT of uploads). */
  public long blobBytesReceived() {
    return dispatcher.blobBytesReceived();
  }

  /** Blob bytes clients downloaded. */
  public long blobBytesServed() {
    return dispatcher.blobBytesServed();
  }

  public void resetCounters() {
    dispatcher.resetCounters();
  }

  @Override
  public void close() {
    server.close();
  }

  /** Configures a {@link FakeRegistry}; no auth by default. */
  public static final class Builder {
    private RegistryDispatcher.AuthMode mode = RegistryDispatcher.AuthMode.NONE;
    private String user;
    private String password;
    private String tokenField = "token";

    private Builder() {}

    /** Basic auth for every request. */
    public Builder basic(String user, String password) {
      this.mode = RegistryDispatcher.AuthMode.BASIC;
      this.user = Objects.requireNonNull(user);
      this.password = Objects.requireNonNull(password);
      return this;
    }

    /** Bearer tokens from {@code /token}; {@code user}/{@code password} get pull and push, anonymous pull only. */
    public Builder bearer(String user, String password) {
      this.mode = RegistryDispatcher.AuthMode.BEARER;
      this.user = Objects.requireNonNull(user);
      this.password = Objects.requireNonNull(password);
      return this;
    }

    /** The token server's answer field: {@code token} (default) or {@code access_token}. */
    public Builder tokenField(String field) {
      if (!field.equals("token") && !field.equals("access_token")) {
        throw new IllegalArgumentException("tokenField must be token or access_token: " + field);
      }
      this.tokenField = field;
      return this;
    }

    public FakeRegistry build() {
      return new FakeRegistry(this);
    }
  }
}
