package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.TargetStatus;
import java.io.ByteArrayInputStream;
import dev.imagebuilder.core.internal.io.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The build logs of a run's targets (Launchpad's {@code build_log_url}, gzip-compressed as the
 * librarian serves them): the last lines of each failed target's log for the summary, and, with
 * {@code --logs DIR}, every log saved as a file. A log that cannot be read is said so in a line;
 * it never fails the command.
 */
final class BuildLogs {
  /** Lines of a failed target's log shown in the summary. */
  static final int TAIL_LINES = 12;
  /** The most of one log read: build logs are megabytes, the tail is what explains a failure. */
  private static final long MAX_BYTES = 64L << 20;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Path directory;
  private final boolean online;
  private HttpClient client;

  BuildLogs(Path directory) {
    this(directory, true);
  }

  /** {@code online} false: no request at all ({@code status --offline}). */
  BuildLogs(Path directory, boolean online) {
    this.directory = directory;
    this.online = online;
  }

  /** Logs already read: the summary's tails and --logs use the same text, fetched once. */
  private final Map<java.net.URI, String> read = new java.util.HashMap<>();

  private String text(java.net.URI log) throws IOException, InterruptedException {
    String known = read.get(log);
    if (known == null) {
      known = fetch(log);
      read.put(log, known);
    }
    return known;
  }

  /** For each failed target with a log: its last lines (or why there are none). */
  Map<String, List<String>> tails(Outcome outcome) {
    Map<String, List<String>> tails = new LinkedHashMap<>();
    if (!online) {
      return tails;
    }
    for (TargetStatus t : outcome.failedTargets()) {
      if (t.logUrl() == null || !t.state().isFailure()) {
        continue;
      }
      try {
        List<String> lines = text(t.logUrl()).lines().toList();
        tails.put(t.key(), lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
      } catch (IOException e) {
        tails.put(t.key(), List.of("(the log could not be read: " + reason(e) + ")"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return tails;
  }

  /** With --logs DIR: saves every target's log there; returns lines saying what was saved. */
  List<String> download(Outcome outcome) {
    if (directory == null) {
      return List.of();
    }
    if (!online) {
      return List.of("Build logs: none saved (--offline makes no request)");
    }
    List<String> said = new ArrayList<>();
    int saved = 0;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      return List.of("--logs: cannot create '" + directory + "': " + e.getMessage());
    }
    for (TargetStatus t : outcome.allTargets()) {
      if (t.logUrl() == null) {
        continue;
      }
      Path file = directory.resolve(fileName(t));
      try {
        DurableFiles.replace(file, text(t.logUrl()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        saved++;
      } catch (IOException e) {
        said.add("Log of " + t.key() + " not saved: " + reason(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    said.add(0, "Build logs: " + saved + " saved in " + directory.toAbsolutePath().normalize());
    return said;
  }

  private static String reason(IOException e) {
    return e.getMessage() == null || e.getMessage().isBlank()
        ? e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT)
        : Text.brief(e.getMessage());
  }

  /** {@code redis_22.04_arm64.log}: the target key, made a safe file name. */
  static String fileName(TargetStatus t) {
    return t.key().replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[.]+", "_") + ".log";
  }

  private String fetch(URI url) throws IOException, InterruptedException {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IOException("not an http(s) URL: " + url);
    }
    if (client == null) {
      client = HttpClient.newBuilder().connectTimeout(TIMEOUT)
          .followRedirects(HttpClient.Redirect.NORMAL).build();
    }
    HttpResponse<InputStream> response = client.send(
        HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode() + " from " + url);
      }
      byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BYTES));
      if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
        try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
          bytes = gz.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BYTES));
        }
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
