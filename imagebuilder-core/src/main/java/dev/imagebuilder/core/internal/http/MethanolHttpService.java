package dev.imagebuilder.core.internal.http;

import com.github.mizosoft.methanol.Methanol;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.core.internal.net.Uris;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.spi.HttpService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HttpService} on a Methanol client. The retry loop is written here rather than with
 * Methanol's RetryInterceptor so that backoff waits on the shared scheduler (no thread sleeps),
 * the concurrency permit is given back while waiting, {@code Retry-After} is capped by our own
 * setting, and a cancelled call stops its pending retry as well as its exchange in flight.
 *
 * <p>Each attempt has one timeout ({@code request-timeout}, or the request's own): the longest
 * wait for the answer's headers, then the longest silence while its body streams. Answers that
 * will be retried, and redirects, are discarded without reaching the caller's body handler.
 * Redirects are followed here (never by the JDK client) so that every hop passes the transport
 * rules. See docs/plumbing.md.
 */
public final class MethanolHttpService implements HttpService, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MethanolHttpService.class);
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");
  private static final Set<Integer> RETRYABLE_STATUS = Set.of(502, 503, 504);
  private static final Set<Integer> REDIRECT_STATUS = Set.of(301, 302, 303, 307, 308);
  private static final int MAX_REDIRECTS = 10;

  private final HttpSettings settings;
  /** Threads for the client's own work: enough to keep a few transfers streaming at once. */
  static final int CLIENT_THREADS = 4;

  private final ScheduledExecutorService scheduler;
  private final ExecutorService clientExecutor;
  private final Methanol client;
  private final AsyncPermits permits;
  private final Backoff backoff;
  private final Clock clock;
  private final String userAgent;
  private final Set<Call<?>> calls = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @param configuration the {@code http} scope
   * @param scheduler runs backoff waits and deadlines; not owned, not shut down by {@link #close}
   */
  public static MethanolHttpService create(
      Configuration configuration, ScheduledExecutorService scheduler) {
    return new MethanolHttpService(HttpSettings.from(configuration), scheduler, Clock.systemUTC());
  }

  MethanolHttpService(HttpSettings settings, ScheduledExecutorService scheduler, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.userAgent = "imagebuilder/" + LibraryVersion.get();
    this.permits = new AsyncPermits(settings.maxConcurrency());
    this.backoff = new Backoff(settings.retryBaseDelay(), settings.retryMaxDelay());
    // The client's own pool: body subscribers run on it, and it must not compete with the
    // blocking work on the shared worker pool. Fixed, not cached: a burst of thousands of calls
    // (a mass rebuild's first poll) must not become thousands of threads.
    this.clientExecutor = Executors.newFixedThreadPool(
        CLIENT_THREADS, daemonThreads("imagebuilder-http-"));
    this.client = Methanol.newBuilder()
        .userAgent(userAgent)
        .connectTimeout(settings.connectTimeout())
        .requestTimeout(settings.requestTimeout())
        // Bytes as sent: a download's checksum is over the bytes the server holds.
        .autoAcceptEncoding(false)
        // Redirects are followed here, so that each hop passes the transport rules and
        // credentials do not follow a redirect to another host.
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(clientExecutor)
        .build();
  }

  public String userAgent() {
    return userAgent;
  }

  public HttpSettings settings() {
    return settings;
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> bodyHandler) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(bodyHandler, "bodyHandler");
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("the HTTP service is closed"));
    }
    try {
      TransportSecurity.check(request.uri(), settings.allowInsecure());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Call<T> call = new Call<>(request, bodyHandler);
    calls.add(call);
    call.result.whenComplete((response, failure) -> calls.remove(call));
    call.nextAttempt();
    return call.result;
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> bodyHandler) {
    CompletableFuture<HttpResponse<T>> future = sendAsync(request, bodyHandler);
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RemoteServiceException(0, request.method(), Uris.withoutSecrets(request.uri()),
          "interrupted while waiting for the answer", e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new RemoteServiceException(0, request.method(), Uris.withoutSecrets(request.uri()),
          String.valueOf(cause), cause);
    }
  }

  /** Cancels every call in flight and pending retry, and stops the client's threads. */
  @Override
  public void close() {
    closed = true;
    for (Call<?> call : calls) {
      call.result.completeExceptionally(new CancellationException("the HTTP service was closed"));
      call.abort();
    }
    clientExecutor.shutdownNow();
    // Its selector thread too: otherwise it waits in native code until the client is collected,
    // and holds up the JVM's exit by 300 ms (ClientThreads).
    ClientThreads.stop(client.underlyingClient(), 100);
  }

  /** One call as the caller sees it: attempts, redirects, waits between them, one result. */
  private final class Call<T> {
    final BodyHandler<T> handler;
    final CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
    /** The request of the current hop (redirects replace it). */
    private volatile HttpRequest request;
    private int sends;
    private int failures;
    private int redirects;
    private volatile Attempt<T> current;
    private volatile Future<?> pendingWait;

    Call(HttpRequest request, BodyHandler<T> handler) {
      this.request = request;
      this.handler = handler;
      result.whenComplete((response, failure) -> {
        if (result.isCancelled()) {
          abort();
        }
      });
    }

    private String method() {
      return request.method().toUpperCase(Locale.ROOT);
    }

    private URI safeUri() {
      return Uris.withoutSecrets(request.uri());
    }

    void nextAttempt() {
      if (result.isDone()) {
        return;
      }
      CompletableFuture<Void> permit = permits.acquire();
      if (permit.isDone()) {
        send();
        return;
      }
      pendingWait = permit;
      // Started on the client's pool: the releasing thread must not run the next call inline.
      permit.thenRunAsync(() -> {
        if (result.isDone()) {
          permits.release();
        } else {
          send();
        }
      }, clientExecutor).exceptionally(failure -> {
        if (!permit.isCancelled()) {
          // The permit was granted but the task could not run (shutting down).
          permits.release();
          fail(new CancellationException("the HTTP service was closed"));
        }
        return null;
      });
    }

    private void send() {
      int attempt = ++sends;
      HttpRequest hop = request;
      boolean mayRetry = IDEMPOTENT.contains(method()) && failures < settings.maxRetries();
      Duration timeout = hop.timeout().orElse(settings.requestTimeout());
      Attempt<T> a = new Attempt<>(mayRetry, timeout);
      current = a;
      log.debug("{} {} attempt {}", method(), Uris.pathOf(hop.uri()), attempt);
      CompletableFuture<HttpResponse<T>> sent;
      try {
        HttpRequest timed = HttpRequest.newBuilder(hop, (name, value) -> true)
            .timeout(timeout)
            .build();
        sent = client.sendAsync(timed, a.wrap(handler));
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      a.exchange = sent;
      try {
        armDeadline(a, timeout);
      } catch (RejectedExecutionException e) {
        fail(new CancellationException("the scheduler is shut down"));
        a.abort(new CancellationException("the scheduler is shut down"));
      }
      sent.whenComplete((response, failure) -> {
        a.finished();
        permits.release();
        attemptDone(a, attempt, response, failure);
      });
      if (result.isDone()) {
        a.abort(new CancellationException("cancelled"));
      }
    }

    // The deadline is for silence, not for the whole exchange: no headers within the timeout,
    // or no body bytes for that long. A large download that keeps moving is never cut off.
    private void armDeadline(Attempt<T> a, Duration wait) {
      a.timer = schedule(() -> {
        if (a.isFinished()) {
          return;
        }
        long quiet = System.nanoTime() - a.lastData;
        long limit = a.timeout.toNanos();
        if (quiet >= limit) {
          a.abort(new HttpTimeoutException(a.bodyStarted
              ? "no data for " + a.timeout + " while reading the answer"
              : "no answer within " + a.timeout));
        } else {
          try {
            armDeadline(a, Duration.ofNanos(limit - quiet));
          } catch (RejectedExecutionException e) {
            a.abort(new CancellationException("the scheduler is shut down"));
          }
        }
      }, wait);
    }

    private void attemptDone(
        Attempt<T> a, int attempt, HttpResponse<T> response, Throwable failure) {
      if (result.isDone()) {
        return;
      }
      String method = method();
      URI safeUri = safeUri();
      if (failure == null && a.redirectTo != null) {
        follow(response, a.redirectTo);
        return;
      }
      if (failure == null && !a.discarded) {
        log.debug("{} {} -> {} (attempt {})", method, Uris.pathOf(safeUri),
            response.statusCode(), attempt);
        result.complete(response);
        return;
      }
      if (failure == null) {
        failures++;
        Duration delay = backoff.delayBefore(failures,
            response.headers().firstValue("Retry-After"), clock.instant());
        log.debug("{} {} -> {} (attempt {}), retrying in {} ms", method, Uris.pathOf(safeUri),
            response.statusCode(), attempt, delay.toMillis());
        retryAfter(delay);
        return;
      }
      // Our own deadline may have ended the exchange by cancelling it: report the timeout.
      Throwable cause = a.timedOut ? a.abortCause() : unwrap(failure);
      if (a.timedOut || isRequestTimeout(cause)) {
        fail(new RemoteServiceException(0, method, safeUri,
            describe(cause) + " (attempt " + attempt + ")", cause));
      } else if (a.mayRetry && cause instanceof IOException) {
        failures++;
        Duration delay = backoff.delayBefore(failures, Optional.empty(), clock.instant());
        log.debug("{} {} failed (attempt {}): {}; retrying in {} ms", method,
            Uris.pathOf(safeUri), attempt, cause.toString(), delay.toMillis());
        retryAfter(delay);
      } else if (cause instanceof IOException) {
        String tries = attempt == 1 ? "" : " after " + attempt + " attempts";
        fail(new RemoteServiceException(0, method, safeUri, describe(cause) + tries, cause));
      } else {
        // The caller's body handler failed (or it was an integrity check): theirs to see as is.
        fail(cause);
      }
    }

    private void follow(HttpResponse<T> response, String location) {
      int status = response.statusCode();
      if (++redirects > MAX_REDIRECTS) {
        fail(new RemoteServiceException(status, method(), safeUri(),
            "more than " + MAX_REDIRECTS + " redirects"));
        return;
      }
      HttpRequest next;
      try {
        next = Redirects.next(request, status, location, settings.allowInsecure());
      } catch (RuntimeException e) {
        fail(e);
        return;
      }
      log.debug("{} {} -> {}, redirected to {}", method(), Uris.pathOf(request.uri()), status,
          Uris.withoutSecrets(next.uri()));
      request = next;
      nextAttempt();
    }

    private void retryAfter(Duration delay) {
      try {
        pendingWait = schedule(this::nextAttempt, delay);
      } catch (RejectedExecutionException e) {
        fail(new CancellationException("the scheduler is shut down"));
        return;
      }
      if (result.isDone()) {
        pendingWait.cancel(false);
      }
    }

    private void fail(Throwable t) {
      result.completeExceptionally(t);
    }

    void abort() {
      Future<?> waiting = pendingWait;
      if (waiting != null) {
        waiting.cancel(false);
      }
      Attempt<T> a = current;
      if (a != null) {
        a.abort(new CancellationException("cancelled"));
      }
    }
  }

  /** One exchange with the server. */
  private static final class Attempt<T> {
    final boolean mayRetry;
    final Duration timeout;
    volatile long lastData = System.nanoTime();
    volatile boolean bodyStarted;
    volatile boolean discarded;
    volatile String redirectTo;
    volatile boolean timedOut;
    volatile CompletableFuture<HttpResponse<T>> exchange;
    volatile Future<?> timer;
    private volatile boolean finished;
    private AbortableBodySubscriber<T> body;
    private Throwable abortedWith;

    Attempt(boolean mayRetry, Duration timeout) {
      this.mayRetry = mayRetry;
      this.timeout = timeout;
    }

    BodyHandler<T> wrap(BodyHandler<T> handler) {
      return info -> {
        lastData = System.nanoTime();
        bodyStarted = true;
        synchronized (this) {
          if (abortedWith != null) {
            // Stopped before the headers came: the caller's handler is not even asked.
            body = new AbortableBodySubscriber<>(BodySubscribers.<T>replacing(null), () -> {});
            body.abort(abortedWith);
            return body;
          }
        }
        BodyHandler<T> chosen = handler;
        Optional<String> location = info.headers().firstValue("Location");
        if (REDIRECT_STATUS.contains(info.statusCode()) && location.isPresent()) {
          redirectTo = location.get();
          chosen = ignored -> BodySubscribers.replacing(null);
        } else if (mayRetry && RETRYABLE_STATUS.contains(info.statusCode())) {
          // The caller's handler never sees an answer that is going to be retried.
          discarded = true;
          chosen = ignored -> BodySubscribers.replacing(null);
        }
        AbortableBodySubscriber<T> wrapped = new AbortableBodySubscriber<>(chosen.apply(info),
            () -> lastData = System.nanoTime());
        synchronized (this) {
          body = wrapped;
          if (abortedWith != null) {
            wrapped.abort(abortedWith);
          }
        }
        return wrapped;
      };
    }

    void finished() {
      finished = true;
      Future<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }

    boolean isFinished() {
      return finished;
    }

    synchronized Throwable abortCause() {
      return abortedWith;
    }

    void abort(Throwable cause) {
      AbortableBodySubscriber<T> b;
      synchronized (this) {
        if (abortedWith != null || finished) {
          return;
        }
        abortedWith = cause;
        timedOut = cause instanceof HttpTimeoutException;
        b = body;
      }
      if (b != null) {
        b.abort(cause);
      }
      CompletableFuture<HttpResponse<T>> e = exchange;
      if (e != null && b == null) {
        // Still waiting for headers: the JDK client aborts the exchange on cancel.
        e.cancel(true);
      }
    }
  }

  private Future<?> schedule(Runnable task, Duration delay) {
    return scheduler.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
  }

  private static boolean isRequestTimeout(Throwable t) {
    return t instanceof HttpTimeoutException && !(t instanceof HttpConnectTimeoutException);
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    String kind = t.getClass().getSimpleName();
    return message == null || message.isBlank() ? kind : kind + ": " + message;
  }

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

}
