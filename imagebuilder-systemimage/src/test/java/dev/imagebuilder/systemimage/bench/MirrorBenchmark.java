package dev.imagebuilder.systemimage.bench;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.systemimage.internal.BlobStoreAccess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Mirroring throughput against curl on the same loopback file, and the heap while mirroring.
 * Not a test (surefire does not run it): {@code imagebuilder-systemimage/bench/mirror.sh [MiB]}.
 *
 * <p>Serves a file of random bytes (incompressible, like payloads) with {@code python3 -m
 * http.server} on 127.0.0.1, then times, best of three each: {@code curl -o} and the backend's
 * mirror path (the content-addressed blob store over the core's Downloader, which streams to a
 * temporary file while computing sha256, checks size and digest and moves the file into place).
 * A sampler records the highest heap use seen during our downloads.
 */
public final class MirrorBenchmark {
  private MirrorBenchmark() {}

  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
    int runs = 3;
    Path dir = Files.createTempDirectory("mirror-bench");
    Path served = Files.createDirectories(dir.resolve("www"));
    Path file = served.resolve("payload.bin");
    String sha = writeRandom(file, mib << 20);
    long size = Files.size(file);
    int port = 20000 + new Random().nextInt(20000);
    Process server = new ProcessBuilder("python3", "-m", "http.server", "--bind", "127.0.0.1",
        Integer.toString(port)).directory(served.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("server.log").toFile()).start();
    try {
      URI uri = URI.create("http://127.0.0.1:" + port + "/payload.bin");
      waitUntilUp(uri);
      double curl = 0;
      for (int i = 0; i < runs; i++) {
        Path out = dir.resolve("curl.out");
        long t0 = System.nanoTime();
        int status = new ProcessBuilder("curl", "-sS", "-o", out.toString(), uri.toString())
            .inheritIO().start().waitFor();
        long t = System.nanoTime() - t0;
        if (status != 0 || Files.size(out) != size) {
          throw new IllegalStateException("curl failed: " + status);
        }
        Files.delete(out);
        curl = Math.max(curl, size / (t / 1e9) / (1 << 20));
      }
      double curlSha = 0;
      for (int i = 0; i < runs; i++) {
        Path out = dir.resolve("curl.out");
        long t0 = System.nanoTime();
        // What a verifying mirror with the usual tools does: hash while writing.
        int status = new ProcessBuilder("sh", "-c", "curl -sS '" + uri + "' | tee '" + out
            + "' | sha256sum | grep -q " + sha).inheritIO().start().waitFor();
        long t = System.nanoTime() - t0;
        if (status != 0 || Files.size(out) != size) {
          throw new IllegalStateException("curl | sha256sum failed: " + status);
        }
        Files.delete(out);
        curlSha = Math.max(curlSha, size / (t / 1e9) / (1 << 20));
      }
      AtomicReference<BackendContext> context = new AtomicReference<>();
      try (ImageBuilder builder = ImageBuilder.newBuilder().discoverBackends(false)
          .backend(capturing(context)).stateDirectory(dir.resolve("state")).build()) {
        builder.plan(ImageRequest.touch().systemImageServer(uri).channel("c").series("focal").build());
        Runtime memory = Runtime.getRuntime();
        double ours = 0;
        long peak = 0;
        for (int i = 0; i < runs; i++) {
          Path cache = dir.resolve("cache-" + i);
          System.gc();
          long base = (memory.totalMemory() - memory.freeMemory());
          AtomicLong max = new AtomicLong(base);
          Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
              max.accumulateAndGet((memory.totalMemory() - memory.freeMemory()), Math::max);
              try {
                Thread.sleep(5);
              } catch (InterruptedException e) {
                return;
              }
            }
          });
          sampler.setDaemon(true);
          sampler.start();
          long t0 = System.nanoTime();
          Path blob = BlobStoreAccess.fetch(cache, context.get(), uri, sha, size);
          long t = System.nanoTime() - t0;
          sampler.interrupt();
          if (Files.size(blob) != size) {
            throw new IllegalStateException("short mirror");
          }
          Files.delete(blob);
          ours = Math.max(ours, size / (t / 1e9) / (1 << 20));
          peak = Math.max(peak, max.get() - base);
        }
        System.out.printf("file: %d MiB (random bytes), loopback, python3 http.server%n", mib);
        System.out.printf("curl:   %.0f MiB/s (best of %d)%n", curl, runs);
        System.out.printf("curl | tee | sha256sum: %.0f MiB/s (best of %d)%n", curlSha, runs);
        System.out.printf("mirror: %.0f MiB/s (best of %d; includes sha256 and the atomic move)%n", ours, runs);
        System.out.printf("ratio:  %.0f%% of curl, %.0f%% of curl | sha256sum%n", 100 * ours / curl,
            100 * ours / curlSha);
        System.out.printf("heap:   max %d MiB above the pre-download baseline (-Xmx %d MiB)%n",
            peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
      }
    } finally {
      server.destroy();
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static BackendProvider capturing(AtomicReference<BackendContext> into) {
    return new BackendProvider() {
      @Override
      public String name() {
        return "bench";
      }

      @Override
      public boolean supports(Class<? extends ImageRequest> type) {
        return type == TouchImageRequest.class;
      }

      @Override
      public Backend create(BackendContext context) {
        into.set(context);
        return new Backend() {
          @Override
          public dev.imagebuilder.api.Plan plan(ImageRequest request) {
            return new dev.imagebuilder.api.Plan(request, "bench", List.of(), List.of());
          }

          @Override
          public dev.imagebuilder.spi.BuildJob start(ImageRequest r, dev.imagebuilder.spi.BuildContext c) {
            throw new UnsupportedOperationException();
          }

          @Override
          public dev.imagebuilder.spi.BuildJob resume(ImageRequest r, java.util.Map<String, Object> s,
              dev.imagebuilder.spi.BuildContext c) {
            throw new UnsupportedOperationException();
          }

          @Override
          public dev.imagebuilder.spi.BuildJob retry(ImageRequest r, java.util.Map<String, Object> s,
              java.util.Set<String> k, dev.imagebuilder.spi.BuildContext c) {
            throw new UnsupportedOperationException();
          }
        };
      }
    };
  }

  private static String writeRandom(Path file, long bytes) throws IOException {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Random random = new Random(42);
    byte[] buf = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long done = 0; done < bytes; done += buf.length) {
        random.nextBytes(buf);
        out.write(buf);
        md.update(buf);
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  private static void waitUntilUp(URI uri) throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    for (int i = 0; i < 100; i++) {
      try {
        client.send(java.net.http.HttpRequest.newBuilder(uri).method("HEAD",
            java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("the file server did not start");
  }
}
