package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.HttpService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Fetches base images and keeps them by checksum. A {@code SHA256SUMS} file beside the image
 * (same directory URL) is the expected checksum; when the image's entry is there and a cached
 * file with that checksum still hashes to it, nothing is downloaded. Without one, the image is
 * downloaded and its computed sha256 recorded. {@code file:} images are used in place.
 */
final class BaseImageStore {
  static final String SUMS_FILE = "SHA256SUMS";

  private final Downloader downloader;
  private final HttpService http;
  private final Path cacheDirectory;
  private final SumsSignature signature;

  BaseImageStore(Downloader downloader, HttpService http, Path cacheDirectory, SumsSignature signature) {
    this.downloader = downloader;
    this.http = http;
    this.cacheDirectory = cacheDirectory;
    this.signature = signature;
  }

  /**
   * @param progress told the fraction done (0 to 1, negative when the size is unknown)
   */
  BaseImage fetch(URI source, Cancellation cancellation, Consumer<String> log, Progress progress) {
    boolean local = "file".equalsIgnoreCase(source.getScheme());
    URI sumsUri = source.resolve(SUMS_FILE);
    String fileName = fileName(source);
    Optional<byte[]> sumsBytes = local ? localBytes(sumsUri) : remoteBytes(sumsUri);
    String signedBy;
    if (sumsBytes.isPresent()) {
      URI signatureUri = source.resolve(SumsSignature.SIGNATURE_FILE);
      signedBy = signature.check(source, sumsUri, sumsBytes.get(),
          () -> local ? localBytes(signatureUri) : remoteBytes(signatureUri),
          cacheDirectory, cancellation, log);
    } else {
      signedBy = signature.unsigned("no " + SUMS_FILE + " is published beside " + source, log);
    }
    Optional<String> expected = sumsBytes
        .map(b -> Sha256Sums.parse(new String(b, StandardCharsets.UTF_8)))
        .flatMap(sums -> {
          Optional<String> entry = sums.forFile(fileName);
          if (entry.isEmpty()) {
            signature.unsigned(sumsUri + " lists no " + fileName + ", so its signature does not cover it", log);
            log.accept("Recording the computed sha256 of " + fileName);
          }
          return entry;
        });
    String checksumSource = expected.isPresent() ? sumsUri.toString() : BaseImage.COMPUTED;
    String signatureState = expected.isPresent() ? signedBy : "unsigned";
    if (local) {
      return useLocal(source, expected, checksumSource, cancellation, log).withSignature(signatureState);
    }
    Path dir = cacheDirectory.resolve("base-images");
    createDirectories(dir);
    if (expected.isPresent()) {
      Path cached = dir.resolve(expected.get());
      if (Files.isRegularFile(cached)) {
        cancellation.check("checking the cached base image");
        if (Sha256.of(cached).equals(expected.get())) {
          log.accept("Using cached base image " + cached + " (sha256 " + expected.get() + ")");
          return new BaseImage(source, cached, size(cached), expected.get(), checksumSource, true)
              .withSignature(signatureState);
        }
        log.accept("Cached " + cached + " no longer matches its checksum; downloading again");
        deleteQuietly(cached);
      }
      log.accept("Downloading " + source + " (expecting sha256 " + expected.get() + " from " + sumsUri + ")");
      Downloader.Download d = cancellation.await(downloader.download(
          new Downloader.Request(source, cached, -1, expected.get()), progress::download),
          "downloading " + source);
      return new BaseImage(source, d.path(), d.size(), d.sha256(), checksumSource, false)
          .withSignature(signatureState);
    }
    log.accept("Downloading " + source + " (no " + SUMS_FILE + " beside it to verify against)");
    Path temporary = dir.resolve("download-" + UUID.randomUUID() + ".tmp");
    Downloader.Download d = cancellation.await(downloader.download(
        Downloader.Request.of(source, temporary), progress::download), "downloading " + source);
    Path cached = dir.resolve(d.sha256().toLowerCase(Locale.ROOT));
    try {
      Files.move(d.path(), cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteQuietly(d.path());
      throw new UncheckedIOException("cannot move the download into the cache " + cached, e);
    }
    return new BaseImage(source, cached, d.size(), d.sha256(), checksumSource, false);
  }

  private BaseImage useLocal(URI source, Optional<String> expected, String checksumSource,
      Cancellation cancellation, Consumer<String> log) {
    Path path = Path.of(source);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new ImageBuildException("the base image " + source + " is not a readable file");
    }
    cancellation.check("hashing the base image");
    String sha256 = Sha256.of(path);
    if (expected.isPresent() && !expected.get().equals(sha256)) {
      throw new dev.imagebuilder.api.IntegrityException("the base image " + path + " has sha256 "
          + sha256 + " but " + checksumSource + " lists " + expected.get());
    }
    log.accept("Using local base image " + path + " (sha256 " + sha256
        + (expected.isPresent() ? ", verified against " + checksumSource : "") + ")");
    return new BaseImage(source, path, size(path), sha256, checksumSource, true);
  }

  /** A file published beside the image (SHA256SUMS or its signature), or empty when there is none. */
  private Optional<byte[]> remoteBytes(URI uri) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(1)).GET().build();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    int status = response.statusCode();
    if (status == 200) {
      return Optional.of(response.body());
    }
    if (status == 404 || status == 410 || status == 403) {
      return Optional.empty();
    }
    // A published checksum file we cannot read must not turn into "nothing to verify".
    throw new RemoteServiceException(status, "GET", uri,
        new String(response.body(), StandardCharsets.UTF_8));
  }

  private static Optional<byte[]> localBytes(URI uri) {
    Path file = Path.of(uri);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static String fileName(URI source) {
    String path = source.getPath() == null ? "" : source.getPath();
    String name = path.substring(path.lastIndexOf('/') + 1);
    return name.isEmpty() ? "image" : name;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the cache directory " + dir, e);
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: a leftover temporary file is harmless
    }
  }

  /** Download progress, reported as a fraction of the whole target's work. */
  interface Progress {
    void download(long bytes, long total);
  }
}
