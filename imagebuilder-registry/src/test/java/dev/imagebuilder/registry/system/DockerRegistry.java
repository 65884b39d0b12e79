package dev.imagebuilder.registry.system;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code docker-registry} (distribution 2.8) as a child process with its own
 * configuration, on a free loopback port: no auth, htpasswd Basic auth, or TLS. Installed by
 * {@code .ci/setup.d/registry.sh}. Ready when it logs that it is listening.
 */
final class DockerRegistry implements AutoCloseable {
  enum Mode { NO_AUTH, HTPASSWD, TLS }

  static final String USER = "builder";
  static final String PASSWORD = "s3cret-for-tests";

  private final Process process;
  private final URI uri;
  private final Path dir;
  private final List<String> log = new ArrayList<>();

  private DockerRegistry(Process process, URI uri, Path dir) {
    this.process = process;
    this.uri = uri;
    this.dir = dir;
  }

  /** Skips (or fails with IMAGEBUILDER_SYSTEM_TESTS=required) when a tool is missing. */
  static void requireTools() {
    for (String tool : List.of("docker-registry", "skopeo", "htpasswd", "openssl")) {
      boolean found = List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":")).stream()
          .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
      if (!found) {
        String why = tool + " is not installed (run .ci/setup.d/registry.sh)";
        if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
          fail("system test cannot run: " + why + " (IMAGEBUILDER_SYSTEM_TESTS=required)");
        }
        Assumptions.assumeTrue(false, why);
      }
    }
  }

  static DockerRegistry start(Mode mode, Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    StringBuilder yml = new StringBuilder()
        .append("version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ")
        .append(dir.resolve("data")).append("\n  delete:\n    enabled: true\n")
        .append("http:\n  addr: 127.0.0.1:").append(port).append("\n  secret: not-a-real-secret\n");
    if (mode == Mode.TLS) {
      run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls-key.pem",
          "-out", "tls-cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
          "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
      yml.append("  tls:\n    certificate: ").append(dir.resolve("tls-cert.pem"))
          .append("\n    key: ").append(dir.resolve("tls-key.pem")).append('\n');
    }
    if (mode == Mode.HTPASSWD) {
      // bcrypt cost 5: cost 12 makes every request take hundreds of milliseconds.
      String line = run(dir, "htpasswd", "-Bbn", "-C", "5", USER, PASSWORD).strip();
      Files.writeString(dir.resolve("htpasswd"), line + "\n");
      yml.append("auth:\n  htpasswd:\n    realm: imagebuilder-test\n    path: ").append(dir.resolve("htpasswd")).append('\n');
    }
    Path config = dir.resolve("config.yml");
    Files.writeString(config, yml);
    Process p = new ProcessBuilder("docker-registry", "serve", config.toString())
        .redirectErrorStream(true).start();
    URI uri = URI.create((mode == Mode.TLS ? "https" : "http") + "://127.0.0.1:" + port);
    DockerRegistry r = new DockerRegistry(p, uri, dir);
    r.awaitListening();
    return r;
  }

  private void awaitListening() throws Exception {
    CompletableFuture<Void> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          synchronized (log) {
            log.add(line);
          }
          if (line.contains("listening on")) {
            listening.complete(null);
          }
        }
        listening.completeExceptionally(new IllegalStateException("docker-registry exited: " + log));
      } catch (IOException e) {
        listening.completeExceptionally(e);
      }
    }, "docker-registry-log");
    reader.setDaemon(true);
    reader.start();
    try {
      listening.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      close();
      throw new IllegalStateException("docker-registry did not listen within 30 s: " + log);
    }
  }

  URI uri() {
    return uri;
  }

  String host() {
    return uri.getRawAuthority();
  }

  Path certificate() {
    return dir.resolve("tls-cert.pem");
  }

  Path directory() {
    return dir;
  }

  /** Runs a tool in {@code dir}, returning its standard output; fails on a non-zero exit. */
  static String run(Path dir, String... command) {
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.PIPE).start();
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(err, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
