package dev.imagebuilder.registry;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.registry.internal.Manifest;
import dev.imagebuilder.registry.internal.RegistryClient;
import dev.imagebuilder.registry.internal.RegistryHttp;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Promotes an image: reads the manifest under one tag with every manifest media type accepted,
 * and writes the very same bytes, with the same media type, under other tags, so each new tag
 * has the same digest. Targets in another repository of the same registry get the blobs by
 * cross-repository mount; targets in another registry get them copied; child manifests go
 * before the index. A tag that already has the digest is left alone.
 *
 * <pre>{@code
 * Promoter promoter = Promoter.builder().auth(RegistryAuth.fromEnvironment()).build();
 * ImageReference edge = ImageReference.parse("registry.example/ubuntu/redis:1.21-22.04_edge");
 * PromotionResult r = promoter.promote(edge, List.of(edge.withTag("1.21-22.04_beta")));
 * }</pre>
 *
 * <p>Thread-safe; blocking (run it off latency-sensitive threads).
 */
public final class Promoter {
  private final RegistryClient client;

  private Promoter(Builder b) {
    HttpClient.Builder hb = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(b.connectTimeout);
    if (b.sslContext != null) {
      hb.sslContext(b.sslContext);
    }
    RegistryHttp http = new RegistryHttp(hb.build(), b.auth.store(),
        new RegistryHttp.RetryPolicy(b.maxAttempts, b.maxRetryWait, b.firstBackoff),
        b.sleeper::sleep, b.clock, b.allowInsecure, b.requestTimeout);
    this.client = new RegistryClient(http);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What {@code reference} points at now. */
  public ManifestSummary inspect(ImageReference reference) {
    return read(reference).summary();
  }

  /**
   * Reads the manifest under {@code reference} (one GET), to check it and then promote exactly
   * those bytes with {@link #promote(SourceManifest, List)}.
   *
   * @throws RegistryException when it cannot be read, with the registry's code and message
   */
  public SourceManifest read(ImageReference reference) {
    Objects.requireNonNull(reference, "reference");
    return new SourceManifest(reference, client.getManifest(reference.registry(), reference.repository(),
        reference.tag()));
  }

  /**
   * Writes the manifest under {@code source} to every target. A failure of the source (unknown
   * tag, access denied) throws; a failure of one target is reported in its {@link TagResult} and
   * the other targets are still written.
   *
   * @throws RegistryException when the source cannot be read, with the registry's code and message
   */
  public PromotionResult promote(ImageReference source, List<ImageReference> targets) {
    return run(source, targets, false);
  }

  /**
   * Writes a manifest already {@linkplain #read read} to every target, without reading its tag
   * again: what was checked is what is written, even if the tag moved since. A failure of one
   * target is reported in its {@link TagResult}.
   */
  public PromotionResult promote(SourceManifest source, List<ImageReference> targets) {
    Objects.requireNonNull(source, "source");
    requireTargets(source.reference(), targets);
    return write(source, targets, false);
  }

  /** Reads only: which targets would be written ({@link TagResult.Outcome#WOULD_WRITE}) and which already match. */
  public PromotionResult dryRun(ImageReference source, List<ImageReference> targets) {
    return run(source, targets, true);
  }

  /** Requests sent so far, counting auth round trips and retries. */
  public long requestCount() {
    return client.requestCount();
  }

  /** Blob bytes uploaded so far (only cross-registry copies upload any). */
  public long blobBytesUploaded() {
    return client.blobBytesUploaded();
  }

  private PromotionResult run(ImageReference source, List<ImageReference> targets, boolean dryRun) {
    Objects.requireNonNull(source, "source");
    requireTargets(source, targets);
    return write(read(source), targets, dryRun);
  }

  private static void requireTargets(ImageReference source, List<ImageReference> targets) {
    if (targets == null || targets.isEmpty()) {
      throw new InvalidRequestException("targets", "give at least one tag to promote " + source + " to");
    }
  }

  private PromotionResult write(SourceManifest read, List<ImageReference> targets, boolean dryRun) {
    ImageReference source = read.reference();
    Manifest m = read.manifest();
    Set<String> present = new HashSet<>();
    List<TagResult> out = new ArrayList<>();
    for (ImageReference t : targets) {
      Objects.requireNonNull(t, "target");
      if (t.equals(source)) {
        out.add(new TagResult(t, TagResult.Outcome.UNCHANGED, m.digest(), null));
        continue;
      }
      try {
        List<String> scopes = dryRun ? RegistryClient.pull(t.repository()) : RegistryClient.push(t.repository());
        Optional<String> current = client.headManifest(t.registry(), t.repository(), t.tag(), scopes);
        if (current.isPresent() && current.get().equals(m.digest())) {
          out.add(new TagResult(t, TagResult.Outcome.UNCHANGED, current.get(), null));
        } else if (dryRun) {
          out.add(new TagResult(t, TagResult.Outcome.WOULD_WRITE, current.orElse(null), null));
        } else {
          ensureContent(source, m, t, present);
          client.putManifest(t.registry(), t.repository(), t.tag(), m);
          out.add(new TagResult(t, TagResult.Outcome.WRITTEN, current.orElse(null), null));
        }
      } catch (ImageBuildException | UncheckedIOException e) {
        out.add(new TagResult(t, TagResult.Outcome.FAILED, null, e.getMessage()));
      }
    }
    return new PromotionResult(source, m.digest(), m.mediaType(), read.summary().platforms(), out);
  }

  /** Makes the manifest's children and blobs exist in the target repository (nothing to do in the same one). */
  private void ensureContent(ImageReference source, Manifest m, ImageReference t, Set<String> present) {
    if (t.sameRegistry(source) && t.repository().equals(source.repository())) {
      return;
    }
    String where = t.registry() + "|" + t.repository() + "|";
    if (m.isIndex()) {
      for (Manifest.Child child : m.children()) {
        if (present.contains(where + child.digest())) {
          continue;
        }
        boolean there = client.headManifest(t.registry(), t.repository(), child.digest(),
            RegistryClient.push(t.repository())).isPresent();
        if (!there) {
          Manifest cm = client.getManifest(source.registry(), source.repository(), child.digest());
          ensureBlobs(source, cm, t, present);
          client.putManifest(t.registry(), t.repository(), child.digest(), cm);
        }
        present.add(where + child.digest());
      }
    } else {
      ensureBlobs(source, m, t, present);
    }
  }

  private void ensureBlobs(ImageReference source, Manifest m, ImageReference t, Set<String> present) {
    String where = t.registry() + "|" + t.repository() + "|";
    for (String blob : m.blobs()) {
      if (present.contains(where + blob)) {
        continue;
      }
      if (t.sameRegistry(source)) {
        // A mount of a blob the repository already has is a harmless 201: no HEAD first.
        if (!client.mountBlob(t.registry(), t.repository(), source.repository(), blob)) {
          client.copyBlob(source.registry(), source.repository(), t.registry(), t.repository(), blob);
        }
      } else if (!client.blobExists(t.registry(), t.repository(), blob, RegistryClient.push(t.repository()))) {
        client.copyBlob(source.registry(), source.repository(), t.registry(), t.repository(), blob);
      }
      present.add(where + blob);
    }
  }

  /** Waits between retries. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** Configures a {@link Promoter}. */
  public static final class Builder {
    private RegistryAuth auth = RegistryAuth.anonymous();
    private SSLContext sslContext;
    private boolean allowInsecure;
    private int maxAttempts = 5;
    private Duration maxRetryWait = Duration.ofMinutes(2);
    private Duration firstBackoff = Duration.ofSeconds(1);
    private Duration connectTimeout = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofMinutes(30);
    private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Credentials; anonymous by default. */
    public Builder auth(RegistryAuth auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /** TLS trust (a registry with its own CA); the JDK's default otherwise. */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    /** Allows plain {@code http://} to hosts that are not loopback (refused by default). */
    public Builder allowInsecure(boolean allow) {
      this.allowInsecure = allow;
      return this;
    }

    /**
     * Attempts per request for 429, 502, 503, 504 and connection failures (default 5), and the
     * longest single wait (default 2 minutes; a longer {@code Retry-After} is cut to it).
     */
    public Builder retries(int maxAttempts, Duration maxRetryWait) {
      if (maxAttempts < 1 || maxAttempts > 50) {
        throw new InvalidRequestException("maxAttempts", "'" + maxAttempts + "' is out of range (1 to 50)");
      }
      if (maxRetryWait == null || maxRetryWait.isNegative()) {
        throw new InvalidRequestException("maxRetryWait", "'" + maxRetryWait + "' must not be negative");
      }
      this.maxAttempts = maxAttempts;
      this.maxRetryWait = maxRetryWait;
      if (firstBackoff.compareTo(maxRetryWait) > 0) {
        firstBackoff = maxRetryWait;
      }
      return this;
    }

    public Builder timeouts(Duration connect, Duration request) {
      this.connectTimeout = Objects.requireNonNull(connect, "connect");
      this.requestTimeout = Objects.requireNonNull(request, "request");
      return this;
    }

    /** How to wait between retries (tests record instead of sleeping). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** The clock token expiry and HTTP-date {@code Retry-After} are measured on. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Promoter build() {
      return new Promoter(this);
    }
  }
}
