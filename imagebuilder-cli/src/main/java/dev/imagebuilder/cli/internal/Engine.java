package dev.imagebuilder.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.core.ImageBuilder;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link ImageBuilder} one run of the command works with, configured from its settings, and,
 * for {@code --launchpad demo}, the in-process fake Launchpad it talks to. Every setting is
 * checked before the builder exists, so bad input fails before anything is submitted.
 */
final class Engine implements AutoCloseable {
  static final String DEMO = "demo";

  private final ImageBuilder builder;
  private final DemoLaunchpad demo;

  private Engine(ImageBuilder builder, DemoLaunchpad demo) {
    this.builder = builder;
    this.demo = demo;
  }

  static Engine open(Settings settings, Map<String, String> extraConfig, Invocation invocation) {
    return open(settings, extraConfig, invocation, null);
  }

  /**
   * An engine whose builds record their tickets in {@code journal} before every remote call
   * (none for commands that only read, or a dry run).
   */
  static Engine open(Settings settings, Map<String, String> extraConfig, Invocation invocation,
      dev.imagebuilder.api.TicketJournal journal) {
    ImageBuilder.Builder b = ImageBuilder.newBuilder().environment(invocation.environment());
    if (journal != null) {
      b.journal(journal);
    }
    String launchpad = settings.launchpad();
    DemoLaunchpad demo = null;
    if (launchpad != null && launchpad.strip().toLowerCase(Locale.ROOT).equals(DEMO)) {
      demo = DemoLaunchpad.start();
      b.config(demo.configuration());
    } else if (launchpad != null) {
      b.config("launchpad.service-root", serviceRoot(launchpad));
    }
    try {
      if (settings.credentials() != null) {
        b.config("launchpad.credentials-file", readableCredentials(Path.of(settings.credentials())));
      } else if (demo == null) {
        defaultCredentials(invocation).ifPresent(p -> b.config("launchpad.credentials-file", p));
      }
      if (settings.catalog() != null) {
        b.config("launchpad.catalog", readableCatalog(Path.of(settings.catalog())));
      } else if (demo == null && !catalogConfigured(invocation, extraConfig)) {
        // The file 'catalog init' writes, when nothing else names a catalog.
        Path file = UserDirectories.defaultCatalog(invocation);
        if (Files.isRegularFile(file)) {
          b.config("launchpad.catalog", readableCatalog(file));
        }
      }
      if (settings.pollInterval() != null) {
        Durations.parse("--poll-interval", settings.pollInterval(), java.time.Duration.ofDays(1));
        b.config("launchpad.poll-interval", settings.pollInterval());
      }
      extraConfig.forEach(b::config);
      return new Engine(b.build(), demo);
    } catch (RuntimeException e) {
      if (demo != null) {
        demo.close();
      }
      throw e;
    }
  }

  private static boolean catalogConfigured(Invocation invocation, Map<String, String> extraConfig) {
    return extraConfig.containsKey("launchpad.catalog")
        || System.getProperty("imagebuilder.launchpad.catalog") != null
        || invocation.env("IMAGEBUILDER_LAUNCHPAD_CATALOG") != null;
  }

  ImageBuilder builder() {
    return builder;
  }

  /** True when the handle's work runs in this process and stops with it (cloud, touch). */
  boolean runsHere(dev.imagebuilder.api.BuildHandle handle) {
    return builder.runsInProcess(handle);
  }

  /** The fake Launchpad of {@code --launchpad demo}, or null. */
  DemoLaunchpad demo() {
    return demo;
  }

  @Override
  public void close() {
    try {
      builder.close();
    } finally {
      if (demo != null) {
        demo.close();
      }
    }
  }

  static String serviceRoot(String value) {
    String v = value.strip();
    String lower = v.toLowerCase(Locale.ROOT);
    if (lower.equals("production") || lower.equals("staging")) {
      return lower;
    }
    try {
      URI uri = new URI(v);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null
          && uri.getRawUserInfo() == null) {
        return v;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new UsageException("--launchpad: '" + Text.redact(value)
        + "' is not production, staging, demo or an http(s) URL of a Launchpad API root");
  }

  private static String readableCredentials(Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new CredentialsException("--credentials: cannot read '" + file + "'"
          + (Files.exists(file) ? " (not a readable file)" : " (no such file)"));
    }
    return file.toString();
  }

  private static String readableCatalog(Path file) {
    String text = BoundedInput.read("--catalog", file.toString(), java.io.InputStream.nullInputStream());
    try {
      new ObjectMapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new UsageException("--catalog: '" + file + "' is not valid JSON: "
          + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ")");
    }
    return file.toString();
  }

  /** The file {@code login} writes, when it exists and nothing else names credentials. */
  private static java.util.Optional<String> defaultCredentials(Invocation invocation) {
    boolean configured = System.getProperty("imagebuilder.launchpad.credentials-file") != null
        || invocation.env("IMAGEBUILDER_LAUNCHPAD_CREDENTIALS_FILE") != null
        || System.getProperty("imagebuilder.launchpad.access-token") != null
        || invocation.env("IMAGEBUILDER_LAUNCHPAD_ACCESS_TOKEN") != null;
    Path file = defaultCredentialsFile(invocation);
    return configured || !Files.isRegularFile(file)
        ? java.util.Optional.empty()
        : java.util.Optional.of(file.toString());
  }

  static Path defaultCredentialsFile(Invocation invocation) {
    return UserDirectories.configHome(invocation).resolve("image-builder").resolve("launchpad.credentials");
  }
}
