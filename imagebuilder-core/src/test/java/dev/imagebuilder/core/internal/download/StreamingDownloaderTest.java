package dev.imagebuilder.core.internal.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.core.internal.Plumbing;
import dev.imagebuilder.core.internal.MapConfiguration;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.Downloader.Download;
import dev.imagebuilder.spi.Downloader.Request;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingDownloaderTest {
  private final MockWebServer server = new MockWebServer();
  private ScheduledExecutorService scheduler;
  private ExecutorService workers;
  private Plumbing plumbing;
  private Downloader downloader;
  @TempDir Path dir;

  private final byte[] image = randomBytes(300_000);
  private final String imageSha = sha256(image);

  @BeforeEach
  void start() throws Exception {
    server.start();
    scheduler = Executors.newScheduledThreadPool(2);
    workers = Executors.newCachedThreadPool();
    plumbing = Plumbing.create(MapConfiguration.http("retry-base-delay", "10ms",
        "retry-max-delay", "100ms", "max-retries", "1", "request-timeout", "10s"),
        scheduler, workers);
    downloader = plumbing.downloader();
  }

  @AfterEach
  void stop() {
    plumbing.close();
    scheduler.shutdownNow();
    workers.shutdownNow();
    server.close();
  }

  private URI url(String path) {
    return server.url(path).uri();
  }

  private static MockResponse body(byte[] bytes) {
    return new MockResponse.Builder().body(new Buffer().write(bytes)).build();
  }

  @Test
  void downloadsAndVerifiesAndReportsProgress() throws Exception {
    server.enqueue(body(image));
    Path target = dir.resolve("images/base.img");
    List<long[]> progress = new CopyOnWriteArrayList<>();

    Download d = downloader.download(new Request(url("/base.img"), target, image.length, imageSha),
        (bytes, total) -> progress.add(new long[] {bytes, total})).get(10, TimeUnit.SECONDS);

    assertThat(d.path()).isEqualTo(target);
    assertThat(d.size()).isEqualTo(image.length);
    assertThat(d.sha256()).isEqualTo(imageSha);
    assertThat(Files.readAllBytes(target)).isEqualTo(image);
    assertThat(filesIn(target.getParent())).containsExactly("base.img");
    assertThat(progress).isNotEmpty();
    assertThat(progress.get(progress.size() - 1)).containsExactly(image.length, image.length);
    assertThat(progress).extracting(p -> p[0]).isSorted();
  }

  @Test
  void computesSizeAndChecksumWhenNoneWereExpected() throws Exception {
    server.enqueue(body(image));
    List<long[]> progress = new CopyOnWriteArrayList<>();

    Download d = downloader.download(Request.of(url("/x"), dir.resolve("x")),
        (bytes, total) -> progress.add(new long[] {bytes, total})).get(10, TimeUnit.SECONDS);

    assertThat(d.size()).isEqualTo(image.length);
    assertThat(d.sha256()).isEqualTo(imageSha);
    // The total comes from Content-Length.
    assertThat(progress.get(progress.size() - 1)).containsExactly(image.length, image.length);
  }

  @Test
  void aChecksumMismatchLeavesNoFileAndTheOldTargetUntouched() throws Exception {
    server.enqueue(body(image));
    Path target = dir.resolve("base.img");
    Files.writeString(target, "the previous image");
    String wrong = sha256("something else".getBytes());

    assertThatThrownBy(() -> downloader.download(
        new Request(url("/base.img?sig=s3cret"), target, -1, wrong), null).get())
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining(url("/base.img").toString())
        .hasMessageContaining(wrong)
        .hasMessageContaining(imageSha)
        .hasMessageNotContaining("s3cret");
    assertThat(Files.readString(target)).isEqualTo("the previous image");
    assertThat(filesIn(dir)).containsExactly("base.img");
  }

  @Test
  void anEmptyBodyGivesAnEmptyFile() throws Exception {
    server.enqueue(body(new byte[0]));

    Download d = downloader.download(new Request(url("/empty"), dir.resolve("empty"), 0,
        sha256(new byte[0])), null).get(10, TimeUnit.SECONDS);

    assertThat(d.size()).isZero();
    assertThat(Files.size(dir.resolve("empty"))).isZero();
    assertThat(filesIn(dir)).containsExactly("empty");
  }

  @Test
  void aSizeMismatchLeavesNoFile() throws Exception {
    server.enqueue(body(image));
    server.enqueue(body(image));

    assertThatThrownBy(() -> downloader.download(
        new Request(url("/a"), dir.resolve("short"), image.length + 1, null), null).get())
        .cause().isInstanceOf(IntegrityException.class)
        .hasMessageContaining("expected " + (image.length + 1) + " bytes, got " + image.length);
    assertThatThrownBy(() -> downloader.download(
        new Request(url("/a"), dir.resolve("long"), 1000, null), null).get())
        .cause().isInstanceOf(IntegrityException.class)
        .hasMessageContaining("expected 1000 bytes");
    assertThat(filesIn(dir)).isEmpty();
  }

  @Test
  void aTruncatedBodyIsRetriedThenFailsLeavingNoFile() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().body(new Buffer().write(image))
            .onResponseBody(SocketEffect.ShutdownConnection.INSTANCE).build();
      }
    });

    assertThatThrownBy(() -> downloader.download(
        new Request(url("/cut"), dir.resolve("cut"), -1, null), null).get(10, TimeUnit.SECONDS))
        .cause().isInstanceOfSatisfying(RemoteServiceException.class,
            e -> assertThat(e.status()).isZero());
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(filesIn(dir)).isEmpty();
  }

  @Test
  void anErrorStatusFailsWithTheServersText() throws Exception {
    server.enqueue(new MockResponse.Builder().code(404).body("no such image").build());

    assertThatThrownBy(() -> downloader.download(Request.of(url("/gone"), dir.resolve("g")), null)
        .get(10, TimeUnit.SECONDS))
        .cause().isInstanceOfSatisfying(RemoteServiceException.class, e -> {
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.serverText()).isEqualTo("no such image");
        });
    assertThat(filesIn(dir)).isEmpty();
  }

  @Test
  void aRetried503WritesNothingAndTheRetryDownloads() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "0")
        .body("busy").build());
    server.enqueue(body(image));

    Download d = downloader.download(new Request(url("/a"), dir.resolve("a"), image.length,
        imageSha), null).get(10, TimeUnit.SECONDS);

    assertThat(Files.readAllBytes(d.path())).isEqualTo(image);
    assertThat(filesIn(dir)).containsExactly("a");
  }

  @Test
  void cancellingMidDownloadStopsItAndLeavesNothing() throws Exception {
    byte[] big = randomBytes(2_000_000);
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(big))
        .throttleBody(64 * 1024, 100, TimeUnit.MILLISECONDS).build());
    CountDownLatch started = new CountDownLatch(1);

    CompletableFuture<Download> f = downloader.download(
        new Request(url("/big"), dir.resolve("big"), big.length, sha256(big)),
        (bytes, total) -> started.countDown());
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(f.cancel(true)).isTrue();

    assertThat(f).isCancelled();
    assertThat(filesIn(dir)).isEmpty();
    // Nothing comes back later either: once every task the download gave the workers has run
    // (writes of what was already queued among them), there is still no file.
    workers.shutdown();
    assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(filesIn(dir)).isEmpty();
  }

  @Test
  void aWriteErrorOnTheWorkerFailsTheDownloadAndLeavesNoFile() throws Exception {
    Path full = Path.of("/dev/full"); // every write fails with ENOSPC, as on a full disk
    assumeThat(Files.isWritable(full)).as("/dev/full is writable").isTrue();
    Downloader toFullDisk = new StreamingDownloader(plumbing.http(), workers,
        TempFileSubscriber.DEFAULT_QUEUE_LIMIT, path -> FileChannel.open(full,
            StandardOpenOption.WRITE));
    server.enqueue(body(image));

    assertThatThrownBy(() -> toFullDisk.download(new Request(url("/a"), dir.resolve("a"),
        image.length, imageSha), null).get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("cannot write " + dir)
        .hasMessageContaining("No space left on device");
    assertThat(filesIn(dir)).isEmpty();
    // A local disk error is not a network error: not retried.
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void cancellingWhileBytesWaitForTheWorkerStopsItAndWritesNothingMore() throws Exception {
    byte[] big = randomBytes(4_000_000);
    server.enqueue(body(big));
    HeldWorker held = new HeldWorker();
    Downloader gated = new StreamingDownloader(plumbing.http(), held, 256 * 1024,
        TempFile.Opener.DEFAULT);

    CompletableFuture<Download> f = gated.download(
        new Request(url("/big"), dir.resolve("big"), big.length, sha256(big)), null);
    Runnable firstWrite = held.tasks.poll(10, TimeUnit.SECONDS);
    assertThat(firstWrite).as("bytes handed to the worker").isNotNull();
    assertThat(filesIn(dir)).hasSize(1).allMatch(name -> name.endsWith(".part"));
    assertThat(f.cancel(true)).isTrue();
    firstWrite.run();
    held.runAll();

    assertThat(f).isCancelled();
    assertThat(filesIn(dir)).isEmpty();
    assertThat(held.tasks).isEmpty();
  }

  @Test
  void aChunkedBodyLargerThanDeclaredFailsWithoutWritingPastTheSize() throws Exception {
    byte[] big = randomBytes(2_000_000);
    server.enqueue(new MockResponse.Builder().chunkedBody(new Buffer().write(big), 64 * 1024)
        .build());

    assertThatThrownBy(() -> downloader.download(
        new Request(url("/chunked"), dir.resolve("c"), 100_000, null), null)
        .get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(IntegrityException.class)
        .hasMessageContaining("expected 100000 bytes, got at least");
    assertThat(filesIn(dir)).isEmpty();
  }

  @Test
  void aContentLengthLargerThanDeclaredFailsBeforeAnyByteIsWritten() throws Exception {
    byte[] big = randomBytes(2_000_000);
    server.enqueue(body(big));
    HeldWorker held = new HeldWorker();
    Downloader gated = new StreamingDownloader(plumbing.http(), held,
        TempFileSubscriber.DEFAULT_QUEUE_LIMIT, TempFile.Opener.DEFAULT);

    assertThatThrownBy(() -> gated.download(
        new Request(url("/big"), dir.resolve("b"), 1000, null), null).get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(IntegrityException.class)
        .hasMessageContaining("expected 1000 bytes, got 2000000 (Content-Length)");
    assertThat(held.tasks).as("nothing was handed to the worker").isEmpty();
    assertThat(filesIn(dir)).isEmpty();
  }

  @Test
  void copiesAndVerifiesAFileUrl() throws Exception {
    Path source = dir.resolve("source.img");
    Files.write(source, image);
    Path target = dir.resolve("out/copy.img");

    Download d = downloader.download(new Request(source.toUri(), target, image.length, imageSha),
        null).get(10, TimeUnit.SECONDS);

    assertThat(Files.readAllBytes(target)).isEqualTo(image);
    assertThat(d.sha256()).isEqualTo(imageSha);
    assertThat(filesIn(target.getParent())).containsExactly("copy.img");

    assertThatThrownBy(() -> downloader.download(new Request(source.toUri(),
        dir.resolve("out/bad.img"), -1, sha256(new byte[0])), null).get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(IntegrityException.class);
    assertThat(filesIn(target.getParent())).containsExactly("copy.img");
  }

  @Test
  void aMissingFileUrlFailsClearly() {
    URI missing = dir.resolve("nothing-here").toUri();

    assertThatThrownBy(() -> downloader.download(Request.of(missing, dir.resolve("t")), null)
        .get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("nothing-here")
        .hasMessageContaining("no such file");
  }

  @Test
  void rejectsBadRequests() {
    assertThat(downloader.download(new Request(URI.create("ftp://example.org/x"),
        dir.resolve("x"), -1, null), null))
        .failsWithin(1, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(InvalidRequestException.class)
        .withMessageContaining("ftp://example.org/x");
    assertThat(downloader.download(new Request(url("/x"), dir.resolve("x"), -1, "abc"), null))
        .failsWithin(1, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("expectedSha256"));
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void aTargetThatCannotBeWrittenFailsWithTheLibrarysException() throws Exception {
    Files.writeString(dir.resolve("plain-file"), "not a directory");

    assertThat(downloader.download(Request.of(url("/x"), dir.resolve("plain-file/x.img")), null))
        .failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(ImageBuildException.class)
        .withMessageContaining("plain-file");
    assertThat(server.getRequestCount()).isZero();
  }

  /** Holds the tasks a download gives its worker pool until the test runs them. */
  static final class HeldWorker implements Executor {
    final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      for (Runnable r; (r = tasks.poll()) != null; ) {
        r.run();
      }
    }
  }

  static List<String> filesIn(Path directory) throws IOException {
    try (Stream<Path> s = Files.list(directory)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
