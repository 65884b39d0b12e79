package dev.imagebuilder.core.internal.download;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.core.internal.net.Uris;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.HttpService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Downloader} for {@code http}, {@code https} (through the {@link HttpService}, so with its
 * retries, limits and transport rules) and {@code file} URLs. Bytes stream to a temporary file
 * beside the target while their size and sha256 are computed; the file is moved into place only
 * when both match the request. The HTTP client's thread hands the bytes over to a worker, which
 * hashes and writes them ({@link TempFileSubscriber}), so receiving and writing overlap.
 */
public final class StreamingDownloader implements Downloader, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamingDownloader.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final int COPY_BUFFER = 64 * 1024;

  private final HttpService http;
  private final Executor workers;
  private final long queueLimit;
  private final TempFile.Opener opener;
  private final Set<CompletableFuture<Download>> active = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @param workers runs blocking file work (hashing and writing bodies, early forces, file:
   *     copies, fsync and move); not owned
   */
  public StreamingDownloader(HttpService http, Executor workers) {
    this(http, workers, TempFileSubscriber.DEFAULT_QUEUE_LIMIT, TempFile.Opener.DEFAULT);
  }

  /**
   * @param queueLimit bytes a download may hold in memory, waiting to be written
   * @param opener opens each temporary file for writing
   */
  StreamingDownloader(HttpService http, Executor workers, long queueLimit,
      TempFile.Opener opener) {
    this.http = Objects.requireNonNull(http, "http");
    this.workers = Objects.requireNonNull(workers, "workers");
    this.queueLimit = queueLimit;
    this.opener = Objects.requireNonNull(opener, "opener");
  }

  @Override
  public CompletableFuture<Download> download(Request request, ProgressListener progress) {
    Objects.requireNonNull(request, "request");
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("the downloader is closed"));
    }
    Transfer transfer;
    try {
      transfer = new Transfer(validated(request), progress);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(forCaller(e));
    }
    active.add(transfer.result);
    transfer.result.whenComplete((download, failure) -> {
      active.remove(transfer.result);
      if (transfer.result.isCancelled()) {
        transfer.stop();
      }
    });
    String scheme = request.source().getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("file")) {
      transfer.copyFileLater();
    } else {
      transfer.fetch();
    }
    return transfer.result;
  }

  /** Cancels every download in progress; their partial files are removed. */
  @Override
  public void close() {
    closed = true;
    for (CompletableFuture<Download> f : active) {
      f.cancel(true);
    }
  }

  private static Request validated(Request r) {
    URI source = r.source();
    String scheme = source.getScheme() == null ? "" : source.getScheme().toLowerCase(Locale.ROOT);
    if (!Set.of("http", "https", "file").contains(scheme)) {
      throw new InvalidRequestException("source", "'" + Uris.withoutSecrets(source)
          + "' is not an http, https or file URL");
    }
    if (r.expectedSha256() != null && !SHA256.matcher(r.expectedSha256()).matches()) {
      throw new InvalidRequestException("expectedSha256",
          "'" + r.expectedSha256() + "' is not a sha256 (64 hexadecimal digits)");
    }
    if (r.expectedSize() < -1) {
      throw new InvalidRequestException("expectedSize", "'" + r.expectedSize()
          + "' is not a size (bytes, or -1 when unknown)");
    }
    Path target = r.target().toAbsolutePath().normalize();
    if (target.getFileName() == null) {
      throw new InvalidRequestException("target", "'" + r.target() + "' is not a file path");
    }
    if (Files.isDirectory(target)) {
      throw new InvalidRequestException("target", "'" + target + "' is a directory");
    }
    try {
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the directory of " + target, e);
    }
    return new Request(source, target, r.expectedSize(), r.expectedSha256());
  }

  /** One download: its result, and the temporary file of the attempt in progress. */
  private final class Transfer {
    final Request request;
    final ProgressListener listener;
    final URI safeSource;
    final CompletableFuture<Download> result = new CompletableFuture<>();
    private final Set<TempFile> files = ConcurrentHashMap.newKeySet();
    private volatile CompletableFuture<?> exchange;

    Transfer(Request request, ProgressListener listener) {
      this.request = request;
      this.listener = listener;
      this.safeSource = Uris.withoutSecrets(request.source());
    }

    void fetch() {
      HttpRequest get = HttpRequest.newBuilder(request.source()).GET()
          .header("Accept-Encoding", "identity")
          .build();
      CompletableFuture<HttpResponse<Fetched>> sent = http.sendAsync(get, this::subscriberFor);
      exchange = sent;
      sent.whenComplete((response, failure) -> {
        if (failure != null) {
          result.completeExceptionally(forCaller(unwrap(failure)));
        } else if (response.body() instanceof Refused refused) {
          result.completeExceptionally(new RemoteServiceException(
              response.statusCode(), "GET", safeSource, refused.text()));
        } else if (response.body() instanceof Stored stored) {
          commitLater(stored.file());
        }
      });
      if (result.isDone()) {
        sent.cancel(true);
      }
    }

    private BodySubscriber<Fetched> subscriberFor(HttpResponse.ResponseInfo info) {
      int status = info.statusCode();
      if (status < 200 || status > 299) {
        return BodySubscribers.mapping(new ErrorTextSubscriber(), Refused::new);
      }
      long announced = info.headers().firstValueAsLong("Content-Length").orElse(-1);
      long total = request.expectedSize() >= 0 ? request.expectedSize() : announced;
      TempFile file = open(total);
      return BodySubscribers.mapping(
          new TempFileSubscriber(file, workers, queueLimit, announced), Stored::new);
    }

    void copyFileLater() {
      try {
        workers.execute(this::copyFile);
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new CancellationException("the worker pool is shut down"));
      }
    }

    private void copyFile() {
      Path from;
      try {
        from = Path.of(request.source());
      } catch (IllegalArgumentException e) {
        result.completeExceptionally(new InvalidRequestException("source",
            "'" + safeSource + "' is not a local file URL", e));
        return;
      }
      TempFile file = null;
      try (FileChannel in = FileChannel.open(from)) {
        long total = request.expectedSize() >= 0 ? request.expectedSize() : in.size();
        file = open(total);
        ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
        while (in.read(buffer) >= 0) {
          if (result.isDone()) {
            file.discard();
            return;
          }
          buffer.flip();
          file.write(buffer);
          buffer.clear();
        }
        commit(file);
      } catch (NoSuchFileException e) {
        result.completeExceptionally(new ImageBuildException("cannot download " + safeSource
            + ": no such file"));
      } catch (IOException e) {
        discard(file);
        result.completeExceptionally(new ImageBuildException("cannot download " + safeSource
            + ": " + e.getMessage(), e));
      } catch (RuntimeException e) {
        discard(file);
        result.completeExceptionally(forCaller(e));
      }
    }

    private TempFile open(long total) {
      TempFile file = TempFile.create(request.source(), request.target(), request.expectedSize(),
          new ProgressThrottle(listener, total), opener, workers, TempFile.FORCE_EVERY);
      files.add(file);
      if (result.isDone()) {
        // cancelled while the answer was on its way
        file.discard();
      }
      return file;
    }

    private void commitLater(TempFile file) {
      try {
        workers.execute(() -> commit(file));
      } catch (RejectedExecutionException e) {
        file.discard();
        result.completeExceptionally(new CancellationException("the worker pool is shut down"));
      }
    }

    private void commit(TempFile file) {
      try {
        Download done;
        synchronized (this) {
          if (result.isDone()) {
            file.discard();
            return;
          }
          done = file.commit(request.expectedSha256());
        }
        log.debug("downloaded {} ({} bytes, sha256 {})", safeSource, done.size(), done.sha256());
        result.complete(done);
      } catch (RuntimeException e) {
        result.completeExceptionally(forCaller(e));
      } finally {
        files.remove(file);
      }
    }

    /** Aborts the exchange and removes every partial file. */
    void stop() {
      CompletableFuture<?> e = exchange;
      if (e != null) {
        e.cancel(true);
      }
      synchronized (this) {
        for (TempFile f : files) {
          f.discard();
        }
      }
    }

    private void discard(TempFile file) {
      if (file != null) {
        file.discard();
        files.remove(file);
      }
    }
  }

  /** Local file trouble as the library's own exception, with the path and the system's reason. */
  private static Throwable forCaller(Throwable t) {
    if (t instanceof UncheckedIOException u) {
      IOException io = u.getCause();
      String reason = io instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
          ? fs.getClass().getSimpleName() + " " + fs.getFile() + " (" + fs.getReason() + ")"
          : io.toString();
      return new ImageBuildException(u.getMessage() + ": " + reason, io);
    }
    return t;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /** What the body handler made of the answer. */
  private sealed interface Fetched permits Stored, Refused {}

  private record Stored(TempFile file) implements Fetched {}

  private record Refused(String text) implements Fetched {}

}
