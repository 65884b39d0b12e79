package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.spi.ProcessFailedException;
import dev.imagebuilder.spi.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Checks a {@code SHA256SUMS} against its detached signature {@code SHA256SUMS.gpg} with
 * {@code gpgv} and a keyring, as Ubuntu documents for its cloud images. The keyring is the
 * configured one ({@code base-keyring}), else for images on {@code cloud-images.ubuntu.com}
 * the Ubuntu cloud image keyring where the host has it (Ubuntu's {@code ubuntu-keyring}
 * package installs it). With {@code require-signature}, a base image without a good signature
 * is refused; without it, a missing signature or keyring is logged and the checksum alone is used.
 */
final class SumsSignature {
  static final String SIGNATURE_FILE = "SHA256SUMS.gpg";
  static final String BASE_KEYRING = "base-keyring";
  static final String REQUIRE_SIGNATURE = "require-signature";
  static final String GPGV = "gpgv";
  /** Where Ubuntu's ubuntu-keyring package puts the "UEC Image Automatic Signing Key". */
  static final Path UBUNTU_CLOUD_KEYRING = Path.of("/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg");
  static final String UBUNTU_CLOUD_IMAGES = "cloud-images.ubuntu.com";
  private static final Duration TIMEOUT = Duration.ofMinutes(1);

  private final Optional<Path> keyring;
  private final Path defaultUbuntuKeyring;
  private final boolean required;
  private final String gpgv;
  private final ProcessRunner processes;

  SumsSignature(Optional<Path> keyring, Path defaultUbuntuKeyring, boolean required, String gpgv,
      ProcessRunner processes) {
    this.keyring = keyring;
    this.defaultUbuntuKeyring = defaultUbuntuKeyring;
    this.required = required;
    this.gpgv = gpgv;
    this.processes = processes;
  }

  /** From the {@code guestfs} configuration; a configured keyring must be a readable file. */
  static SumsSignature read(Configuration config, ProcessRunner processes) {
    Optional<Path> keyring = config.path(BASE_KEYRING).map(Path::toAbsolutePath);
    keyring.ifPresent(k -> {
      if (!Files.isRegularFile(k) || !Files.isReadable(k)) {
        throw new InvalidRequestException(config.qualified(BASE_KEYRING), "'" + k + "' is not a readable file");
      }
    });
    return new SumsSignature(keyring, UBUNTU_CLOUD_KEYRING, config.flag(REQUIRE_SIGNATURE, false),
        config.get(GPGV, "gpgv").strip(), processes);
  }

  /** The keyring the base image at {@code image} is checked against, if any. */
  Optional<Path> keyringFor(URI image) {
    if (keyring.isPresent()) {
      return keyring;
    }
    String host = image.getHost() == null ? "" : image.getHost().toLowerCase(Locale.ROOT);
    if (host.equals(UBUNTU_CLOUD_IMAGES) && Files.isReadable(defaultUbuntuKeyring)) {
      return Optional.of(defaultUbuntuKeyring);
    }
    return Optional.empty();
  }

  /** For plans: what would be checked. */
  String describe(URI image) {
    return keyringFor(image).map(k -> SIGNATURE_FILE + " checked with " + k
            + (required ? " (required)" : ""))
        .orElse(required ? "a signature is required but no keyring applies: the build would be refused"
            : "no keyring for " + SIGNATURE_FILE + ": the checksum is not signature-checked");
  }

  /**
   * Checks {@code sums} against {@code signature}.
   *
   * @param fetchSignature the {@code SHA256SUMS.gpg} bytes, or empty when none is published;
   *     asked only when a keyring applies
   * @return how the sums are known: "signed by FPR" or "unsigned"
   * @throws IntegrityException when the signature is bad
   * @throws ImageBuildException when a signature is required and cannot be checked
   */
  String check(URI image, URI sumsUri, byte[] sums, Supplier<Optional<byte[]>> fetchSignature,
      Path workDirectory, Cancellation cancellation, Consumer<String> log) {
    Optional<Path> ring = keyringFor(image);
    if (ring.isEmpty()) {
      // Nothing to check it with: the signature is not even fetched.
      return unsigned("no keyring to check " + SIGNATURE_FILE + " with (set imagebuilder.guestfs."
          + BASE_KEYRING + ")", log);
    }
    Optional<byte[]> signature = fetchSignature.get();
    if (signature.isEmpty()) {
      return unsigned("no " + SIGNATURE_FILE + " is published beside " + sumsUri, log);
    }
    Path dir = createTempDirectory(workDirectory);
    try {
      Path sumsFile = Files.write(dir.resolve("SHA256SUMS"), sums);
      Path sigFile = Files.write(dir.resolve(SIGNATURE_FILE), signature.get());
      List<String> out = new ArrayList<>();
      ProcessRunner.Spec spec = new ProcessRunner.Spec(List.of(gpgv, "--status-fd", "1",
          "--keyring", ring.get().toString(), sigFile.toString(), sumsFile.toString()),
          Map.of("GNUPGHOME", dir.toString(), "LC_ALL", "C"), null, TIMEOUT);
      try {
        cancellation.await(processes.run(spec, out::add), "checking " + SIGNATURE_FILE);
      } catch (ProcessFailedException e) {
        if (e.exitStatus() < 0 && e.outputTail().isEmpty()) {
          throw new ImageBuildException("gpgv could not be run ('" + gpgv
              + "'): install the Debian package gpgv", e);
        }
        throw new IntegrityException("the signature " + sumsUri + ".gpg does not verify "
            + sumsUri + " with the keyring " + ring.get() + ": " + reason(e.outputTail()));
      }
      String signer = out.stream().filter(l -> l.startsWith("[GNUPG:] VALIDSIG "))
          .map(l -> l.split(" ")[2]).findFirst()
          .orElseThrow(() -> new IntegrityException("gpgv accepted " + sumsUri
              + ".gpg without naming a valid signature"));
      log.accept(SIGNATURE_FILE + ": good signature by " + signer + " (keyring " + ring.get() + ")");
      return "signed by " + signer;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir, e);
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * The base image's checksum is not covered by a signature, {@code why}: refused when a
   * signature is required, else logged.
   *
   * @return "unsigned"
   * @throws IntegrityException when a signature is required
   */
  String unsigned(String why, Consumer<String> log) {
    if (required) {
      throw new IntegrityException("the base image is not signed as required ("
          + "imagebuilder.guestfs." + REQUIRE_SIGNATURE + "): " + why);
    }
    log.accept("Not checking a signature: " + why);
    return "unsigned";
  }

  /** gpgv's status lines say why: BADSIG, NO_PUBKEY, ERRSIG... */
  private static String reason(List<String> tail) {
    for (String line : tail) {
      if (line.startsWith("[GNUPG:] BADSIG")) {
        return "bad signature (the file was changed, or signed by another key)";
      }
      if (line.startsWith("[GNUPG:] NO_PUBKEY")) {
        return "signed by key " + line.substring("[GNUPG:] NO_PUBKEY ".length())
            + ", which is not in the keyring";
      }
    }
    return tail.isEmpty() ? "gpgv failed" : String.join(" | ", tail.subList(Math.max(0, tail.size() - 3), tail.size()));
  }

  private static Path createTempDirectory(Path parent) {
    try {
      Files.createDirectories(parent);
      return Files.createTempDirectory(parent, "signature-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory in " + parent, e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(BaseImageStore::deleteQuietly);
    } catch (IOException ignored) {
      // best effort: a leftover temporary directory is harmless
    }
  }
}
