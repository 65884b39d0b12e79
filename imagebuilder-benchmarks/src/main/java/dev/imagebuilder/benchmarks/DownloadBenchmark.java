package dev.imagebuilder.benchmarks;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.Downloader.Download;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Download throughput against curl, side by side in one run: nginx serves a file of random bytes
 * (incompressible, like images) on 127.0.0.1, and each round times, in turn, {@code curl -o},
 * {@code curl -o} followed by {@code sync FILE} (on disk, as ours is), {@code curl | sha256sum},
 * the JDK's {@code HttpClient} with {@code BodyHandlers.ofFile}, and the core's
 * {@link Downloader} (sha256 and size verified, data and directory fsynced, moved into place
 * atomically), on the same file from the same server. Rounds interleave the tools, rotating their
 * order, so that load from other processes falls on all of them alike; the report gives best and
 * median of each, and our ratios to the curl figures. A sampler records the heap that stays in
 * use after collections during our downloads, to show that memory stays flat.
 *
 * <p>nginx runs as a child process with its own configuration in a temporary directory, on a free
 * port, and is stopped at the end. Needs {@code nginx} (Debian: {@code nginx-light}) and
 * {@code curl}. Arguments (all optional): {@code mib=1024 runs=5 dir=PATH}. Run with
 * {@code -Xmx256m} and the options {@code bin/image-builder} uses; see docs/benchmarks.md.
 * {@code dir=PATH} puts the served file and the downloads elsewhere than
 * {@code java.io.tmpdir}.
 */
public final class DownloadBenchmark {
  private static final List<String> TOOLS =
      List.of("curl -o", "curl -o; sync", "curl | sha256sum", "JDK ofFile", "Downloader");

  private DownloadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Runs.arguments(args);
    long mib = Long.parseLong(a.getOrDefault("mib", "1024"));
    int runs = Integer.parseInt(a.getOrDefault("runs", "5"));
    Path parent = Path.of(a.getOrDefault("dir", System.getProperty("java.io.tmpdir")));

    System.out.printf("Java %s, %d processors, max heap %d MiB, jdk.httpclient.bufsize=%s%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("jdk.httpclient.bufsize", "default"));
    System.out.printf("load average at the start: %s%n", Runs.loadAverage());
    Path dir = Files.createTempDirectory(parent, "download-bench");
    Process nginx = null;
    try {
      Path www = Files.createDirectories(dir.resolve("www"));
      Path file = www.resolve("image.bin");
      long size = mib << 20;
      String sha = writeRandom(file, size);
      // nginx's workers may run as another user: the file must be readable by anyone.
      for (Path p : List.of(dir, www)) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      int port = freePort();
      nginx = startNginx(dir, www, port);
      URI uri = URI.create("http://127.0.0.1:" + port + "/image.bin");
      System.out.printf("file: %d MiB of random bytes, nginx %s on 127.0.0.1:%d (sendfile)%n",
          mib, nginxVersion(), port);

      Map<String, List<Double>> rates = new LinkedHashMap<>();
      TOOLS.forEach(t -> rates.put(t, new ArrayList<>()));
      long peakHeap = 0;
      AtomicReference<BackendContext> context = new AtomicReference<>();
      try (ImageBuilder builder = ImageBuilder.newBuilder().discoverBackends(false)
          .backend(capturing(context)).stateDirectory(dir.resolve("state")).build()) {
        builder.plan(ImageRequest.touch().systemImageServer(uri).channel("bench").series("focal")
            .build());
        Downloader downloader = context.get().downloader();
        HttpClient jdk = HttpClient.newHttpClient();
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        for (int round = 0; round < runs; round++) {
          // Rotate the order, so that no tool always runs first (cold) or last.
          for (int k = 0; k < TOOLS.size(); k++) {
            String tool = TOOLS.get((round + k) % TOOLS.size());
            Path target = out.resolve("image-" + round + ".bin");
            long nanos;
            switch (tool) {
              case "curl -o" -> nanos = curlToFile(uri, target, size, false);
              case "curl -o; sync" -> nanos = curlToFile(uri, target, size, true);
              case "curl | sha256sum" -> nanos = curlSha256(uri, sha);
              case "JDK ofFile" -> nanos = jdkOfFile(jdk, uri, target, size);
              default -> {
                long[] heap = new long[1];
                nanos = ours(downloader, uri, target, size, sha, heap);
                peakHeap = Math.max(peakHeap, heap[0]);
              }
            }
            Files.deleteIfExists(target);
            double rate = size / (nanos / 1e9) / (1 << 20);
            rates.get(tool).add(rate);
            System.out.printf("  round %d  %-17s %6.0f MiB/s%n", round + 1, tool, rate);
          }
        }
      }

      System.out.printf("%n%-26s %8s %8s%n", "MiB/s, " + runs + " runs", "best", "median");
      for (String tool : TOOLS) {
        System.out.printf("%-26s %8.0f %8.0f%n", tool, Runs.highest(rates.get(tool)),
            Runs.median(rates.get(tool)));
      }
      List<Double> ours = rates.get("Downloader");
      for (String peer : List.of("curl -o", "curl -o; sync", "curl | sha256sum")) {
        List<Double> theirs = rates.get(peer);
        System.out.printf("Downloader / %-18s best %3.0f%%, median %3.0f%%%n", peer + ":",
            100 * Runs.highest(ours) / Runs.highest(theirs),
            100 * Runs.median(ours) / Runs.median(theirs));
      }
      System.out.printf("heap live after collections: at most %d MiB above the baseline during our"
          + " downloads (max heap %d MiB)%n", peakHeap >> 20,
          Runtime.getRuntime().maxMemory() >> 20);
      System.out.printf("load average at the end: %s%n", Runs.loadAverage());
    } finally {
      if (nginx != null) {
        nginx.destroy();
        if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
          nginx.destroyForcibly();
        }
      }
      LaunchpadTrackingBenchmark.deleteTree(dir);
    }
  }

  /**
   * Wall time of {@code curl -o}, the size checked afterwards; with {@code durable}, followed by
   * {@code sync FILE} (an fsync of that file), like-for-like with our download, which is on disk
   * when it completes, where curl's may still be in the page cache.
   */
  private static long curlToFile(URI uri, Path target, long size, boolean durable)
      throws Exception {
    long t0 = System.nanoTime();
    int status = new ProcessBuilder("curl", "-sS", "-o", target.toString(), uri.toString())
        .inheritIO().start().waitFor();
    if (status == 0 && durable) {
      status = new ProcessBuilder("sync", target.toString()).inheritIO().start().waitFor();
    }
    long t = System.nanoTime() - t0;
    if (status != 0 || Files.size(target) != size) {
      throw new IllegalStateException("curl -o failed: exit status " + status);
    }
    return t;
  }

  /**
   * Wall time of the JDK's own client writing the body with {@code BodyHandlers.ofFile}: no hash,
   * no fsync; what the JDK client can do on its own.
   */
  private static long jdkOfFile(HttpClient client, URI uri, Path target, long size)
      throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<Path> r = client.send(HttpRequest.newBuilder(uri).build(),
        HttpResponse.BodyHandlers.ofFile(target));
    long t = System.nanoTime() - t0;
    if (r.statusCode() != 200 || Files.size(target) != size) {
      throw new IllegalStateException("JDK ofFile failed: " + r.statusCode());
    }
    return t;
  }

  /** Wall time of {@code curl | sha256sum}, the usual way to check a download while it runs. */
  private static long curlSha256(URI uri, String sha) throws Exception {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder("sh", "-c", "curl -sS '" + uri + "' | sha256sum")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    int status = p.waitFor();
    long t = System.nanoTime() - t0;
    if (status != 0 || !printed.startsWith(sha)) {
      throw new IllegalStateException("curl | sha256sum failed: " + status + " " + printed);
    }
    return t;
  }

  /**
   * Wall time of our verified, durable download; {@code heap[0]} gets the peak growth of the heap
   * in use after collections (what is live; the client's spent buffers are garbage until the
   * next collection, so the heap in use between collections only shows the collector's pace).
   */
  private static long ours(Downloader downloader, URI uri, Path target, long size, String sha,
      long[] heap) throws Exception {
    System.gc();
    long base = liveHeap();
    AtomicLong max = new AtomicLong(base);
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        max.accumulateAndGet(liveHeap(), Math::max);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    long t0 = System.nanoTime();
    Download d = downloader.download(new Downloader.Request(uri, target, size, sha), null)
        .get(10, TimeUnit.MINUTES);
    long t = System.nanoTime() - t0;
    sampler.interrupt();
    sampler.join();
    if (d.size() != size || !d.sha256().equals(sha) || Files.size(target) != size) {
      throw new IllegalStateException("the download does not match: " + d);
    }
    heap[0] = max.get() - base;
    return t;
  }

  /** Heap in use after the latest collection of each heap pool. */
  private static long liveHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage afterGc = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      if (afterGc != null) {
        sum += afterGc.getUsed();
      }
    }
    return sum;
  }

  private static Process startNginx(Path dir, Path www, int port) throws Exception {
    Path conf = dir.resolve("nginx.conf");
    Files.createDirectories(dir.resolve("temp"));
    // Only what serving a static file needs; every path in the temporary directory, so that
    // nothing touches the system's nginx (which need not be running, and is not started).
    Files.writeString(conf, """
        daemon off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 64; }
        http {
          access_log off;
          default_type application/octet-stream;
          sendfile on;
          tcp_nopush on;
          client_body_temp_path %1$s/temp/body;
          proxy_temp_path %1$s/temp/proxy;
          fastcgi_temp_path %1$s/temp/fastcgi;
          uwsgi_temp_path %1$s/temp/uwsgi;
          scgi_temp_path %1$s/temp/scgi;
          server {
            listen 127.0.0.1:%2$d;
            root %3$s;
          }
        }
        """.formatted(dir, port, www));
    Process p = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("nginx stopped: "
            + Files.readString(dir.resolve("nginx.out")) + readIfExists(dir.resolve("error.log")));
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return p;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("nginx did not listen on port " + port + " within 10 s");
  }

  private static String nginxVersion() throws Exception {
    Process p = new ProcessBuilder("nginx", "-v").redirectErrorStream(true).start();
    String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    return v.replace("nginx version: ", "");
  }

  private static String readIfExists(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p) : "";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String writeRandom(Path file, long bytes) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    Random random = new Random(42);
    byte[] buf = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long done = 0; done < bytes; done += buf.length) {
        random.nextBytes(buf);
        out.write(buf);
        md.update(buf);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** A backend that only keeps the context the builder hands it: the way to the Downloader. */
  private static BackendProvider capturing(AtomicReference<BackendContext> into) {
    return new BackendProvider() {
      @Override
      public String name() {
        return "download-bench";
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
          public Plan plan(ImageRequest request) {
            return new Plan(request, "download-bench", List.of(), List.of());
          }

          @Override
          public BuildJob start(ImageRequest request, BuildContext c) {
            throw new UnsupportedOperationException("measures downloads only");
          }

          @Override
          public BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext c) {
            throw new UnsupportedOperationException("measures downloads only");
          }

          @Override
          public BuildJob retry(ImageRequest request, Map<String, Object> state,
              Set<String> targetKeys, BuildContext c) {
            throw new UnsupportedOperationException("measures downloads only");
          }
        };
      }
    };
  }
}
