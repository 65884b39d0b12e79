package dev.imagebuilder.systemimage.support;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.HttpService;
import dev.imagebuilder.spi.ProcessFailedException;
import dev.imagebuilder.spi.ProcessRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Test support while the core's plumbing (HTTP, downloads, processes) is not on main yet: wraps
 * a provider so that its backend context falls back to these small implementations when the
 * core hands out none. Once the core provides them, the core's own are used and this is inert.
 */
public final class FallbackPlumbing implements BackendProvider {
  private final BackendProvider delegate;

  public FallbackPlumbing(BackendProvider delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public int priority() {
    return delegate.priority() + 100;
  }

  @Override
  public boolean supports(Class<? extends ImageRequest> requestType) {
    return delegate.supports(requestType);
  }

  @Override
  public Optional<String> unavailableReason(Configuration configuration) {
    return delegate.unavailableReason(configuration);
  }

  @Override
  public Backend create(BackendContext context) {
    return delegate.create(wrap(context));
  }

  public static BackendContext wrap(BackendContext c) {
    HttpService http = c.http() != null ? c.http() : new SimpleHttp();
    Downloader downloader = c.downloader() != null ? c.downloader() : new SimpleDownloader();
    ProcessRunner processes = c.processes() != null ? c.processes() : new SimpleProcesses();
    return new BackendContext() {
      @Override public Configuration configuration() { return c.configuration(); }
      @Override public HttpService http() { return http; }
      @Override public Downloader downloader() { return downloader; }
      @Override public ProcessRunner processes() { return processes; }
      @Override public Clock clock() { return c.clock(); }
      @Override public Path stateDirectory() { return c.stateDirectory(); }
    };
  }

  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** java.net.http, no retries. */
  public static final class SimpleHttp implements HttpService {
    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest r, HttpResponse.BodyHandler<T> h) {
      return CLIENT.sendAsync(r, h);
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest r, HttpResponse.BodyHandler<T> h) {
      try {
        return CLIENT.send(r, h);
      } catch (IOException e) {
        throw new RemoteServiceException(0, r.method(), r.uri(), e.toString(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RemoteServiceException(0, r.method(), r.uri(), "interrupted", e);
      }
    }
  }

  /** Streams to a temp file beside the target, checks size and sha256, moves into place. */
  public static final class SimpleDownloader implements Downloader {
    @Override
    public CompletableFuture<Download> download(Request req, ProgressListener progress) {
      return CompletableFuture.supplyAsync(() -> {
        Path tmp = null;
        try {
          HttpResponse<InputStream> r = CLIENT.send(HttpRequest.newBuilder(req.source()).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
          if (r.statusCode() != 200) {
            r.body().close();
            throw new RemoteServiceException(r.statusCode(), "GET", req.source(), "");
          }
          Files.createDirectories(req.target().toAbsolutePath().getParent());
          tmp = Files.createTempFile(req.target().toAbsolutePath().getParent(), ".dl", ".part");
          MessageDigest md = MessageDigest.getInstance("SHA-256");
          long n = 0;
          try (InputStream in = r.body(); OutputStream out = Files.newOutputStream(tmp)) {
            byte[] buf = new byte[1 << 16];
            int k;
            while ((k = in.read(buf)) > 0) {
              if (Thread.currentThread().isInterrupted()) {
                throw new IOException("cancelled");
              }
              out.write(buf, 0, k);
              md.update(buf, 0, k);
              n += k;
            }
          }
          String sha = HexFormat.of().formatHex(md.digest());
          if (req.expectedSize() >= 0 && n != req.expectedSize()) {
            throw new IntegrityException(req.source() + ": size " + n + ", expected " + req.expectedSize());
          }
          if (req.expectedSha256() != null && !req.expectedSha256().equals(sha)) {
            throw new IntegrityException(req.source() + ": sha256 " + sha + ", expected " + req.expectedSha256());
          }
          Files.move(tmp, req.target(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          return new Download(req.source(), req.target(), n, sha);
        } catch (IOException e) {
          throw new CompletionException(e);
        } catch (InterruptedException e) {
          throw new CompletionException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        } finally {
          if (tmp != null) {
            try {
              Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
              // best effort
            }
          }
        }
      });
    }
  }

  /** ProcessBuilder, merged output, kills the tree on cancel. */
  public static final class SimpleProcesses implements ProcessRunner {
    @Override
    public CompletableFuture<Result> run(Spec spec, java.util.function.Consumer<String> lines) {
      ProcessBuilder pb = new ProcessBuilder(spec.command()).redirectErrorStream(true);
      spec.environment().forEach((k, v) -> {
        if (v == null) {
          pb.environment().remove(k);
        } else {
          pb.environment().put(k, v);
        }
      });
      if (spec.directory() != null) {
        pb.directory(spec.directory().toFile());
      }
      long start = System.nanoTime();
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        return CompletableFuture.failedFuture(
            new ProcessFailedException(spec.program(), -1, false, java.util.List.of(), e.getMessage()));
      }
      CompletableFuture<Result> f = new CompletableFuture<>() {
        @Override
        public boolean cancel(boolean mayInterrupt) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          return super.cancel(mayInterrupt);
        }
      };
      Thread t = new Thread(() -> {
        ArrayDeque<String> tail = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.accept(line);
            tail.addLast(line);
            if (tail.size() > 20) {
              tail.removeFirst();
            }
          }
          int status = p.waitFor();
          if (status == 0) {
            f.complete(new Result(0, new ArrayList<>(tail), Duration.ofNanos(System.nanoTime() - start)));
          } else {
            f.completeExceptionally(new ProcessFailedException(spec.program(), status, false,
                new ArrayList<>(tail), null));
          }
        } catch (IOException | InterruptedException e) {
          f.completeExceptionally(e);
        }
      }, "process-" + spec.program());
      t.setDaemon(true);
      t.start();
      return f;
    }
  }

}
