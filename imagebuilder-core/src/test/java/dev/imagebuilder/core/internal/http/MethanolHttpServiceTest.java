package dev.imagebuilder.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.core.internal.Await;
import dev.imagebuilder.core.internal.MapConfiguration;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MethanolHttpServiceTest {
  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

  private final MockWebServer server = new MockWebServer();
  private ScheduledExecutorService scheduler;
  private MethanolHttpService http;

  @BeforeEach
  void start() throws Exception {
    server.start();
    scheduler = Executors.newScheduledThreadPool(2);
  }

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
    scheduler.shutdownNow();
    server.close();
  }

  private MethanolHttpService service(String... config) {
    List<String> all = new ArrayList<>(List.of(
        "retry-base-delay", "10ms", "retry-max-delay", "200ms", "request-timeout", "5s"));
    all.addAll(List.of(config));
    http = new MethanolHttpService(
        HttpSettings.from(MapConfiguration.http(all.toArray(String[]::new))), scheduler,
        Clock.systemUTC());
    return http;
  }

  private URI uri(String path) {
    return server.url(path).uri();
  }

  private static MockResponse status(int code, String body) {
    return new MockResponse.Builder().code(code).body(body).build();
  }

  private static MockResponse busy(String retryAfter) {
    return new MockResponse.Builder().code(503).setHeader("Retry-After", retryAfter)
        .body("try later").build();
  }

  private static HttpRequest get(URI uri) {
    return HttpRequest.newBuilder(uri).GET().build();
  }

  private static HttpRequest post(URI uri) {
    return HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("ws.op=requestBuilds"))
        .header("Content-Type", "application/x-www-form-urlencoded").build();
  }

  @Test
  void sendsTheLibraryUserAgentAndReturnsTheBody() throws Exception {
    server.enqueue(status(200, "hello"));

    HttpResponse<String> response = service().send(get(uri("/a")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello");
    RecordedRequest recorded = server.takeRequest();
    assertThat(recorded.getHeaders().get("User-Agent"))
        .isEqualTo(http.userAgent())
        .matches("imagebuilder/\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void retriesABurstOf503ThenReturnsTheSuccess() {
    service();
    server.enqueue(busy("0"));
    server.enqueue(busy("0"));
    server.enqueue(busy("0"));
    server.enqueue(status(200, "finally"));

    HttpResponse<String> response = http.send(get(uri("/builds")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("finally");
    assertThat(server.getRequestCount()).isEqualTo(4);
  }

  @Test
  void retries502And504Too() {
    service();
    server.enqueue(status(502, "bad gateway"));
    server.enqueue(status(504, "gateway timeout"));
    server.enqueue(status(200, "ok"));

    assertThat(http.send(get(uri("/x"))).body()).isEqualTo("ok");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void waitsAsLongAsRetryAfterSays() {
    service("retry-max-delay", "5s");
    server.enqueue(busy("1"));
    server.enqueue(status(200, "ok"));

    long start = System.nanoTime();
    HttpResponse<String> response = http.send(get(uri("/x")));
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(response.body()).isEqualTo("ok");
    // The base delay is 10 ms: only Retry-After explains a wait of a second.
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(950);
  }

  @Test
  void capsRetryAfterAtTheMaximumDelay() {
    service("retry-max-delay", "200ms");
    String inAnHour = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.now(ZoneOffset.UTC).plusHours(1));
    server.enqueue(busy("3600"));
    server.enqueue(busy(inAnHour));
    server.enqueue(status(200, "ok"));

    long start = System.nanoTime();
    HttpResponse<String> response = http.send(get(uri("/x")));

    assertThat(response.body()).isEqualTo("ok");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void returnsTheLastAnswerWhenRetriesAreExhausted() {
    service("max-retries", "2");
    server.enqueue(busy("0"));
    server.enqueue(busy("0"));
    server.enqueue(new MockResponse.Builder().code(503).body("still busy").build());
    server.enqueue(status(200, "too late"));

    HttpResponse<String> response = http.send(get(uri("/x")));

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("still busy");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void retriesAGetWhoseConnectionIsReset() {
    service();
    server.enqueue(new MockResponse.Builder()
        .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(new MockResponse.Builder()
        .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(status(200, "ok"));

    HttpResponse<String> response = http.send(get(uri("/x")));

    assertThat(response.body()).isEqualTo("ok");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void neverRepeatsAPostThatGot503() throws Exception {
    service();
    server.enqueue(busy("0"));
    server.enqueue(status(200, "a second build"));

    HttpResponse<String> response = http.send(post(uri("/+build")));

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("try later");
    assertThat(server.takeRequest(1, TimeUnit.SECONDS).getMethod()).isEqualTo("POST");
    // Well past any backoff: still the one request.
    assertThat(server.takeRequest(500, TimeUnit.MILLISECONDS)).isNull();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void neverRepeatsAPostWhoseConnectionWasReset() throws Exception {
    service();
    server.enqueue(new MockResponse.Builder()
        .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(status(200, "a second build"));

    assertThatThrownBy(() -> http.send(post(uri("/+build?ws.op=requestBuilds"))))
        .isInstanceOfSatisfying(RemoteServiceException.class, e -> {
          assertThat(e.status()).isZero();
          assertThat(e.method()).isEqualTo("POST");
          assertThat(e.uri().getQuery()).isNull();
          assertThat(e.uri().getPath()).isEqualTo("/+build");
        });
    assertThat(server.takeRequest(500, TimeUnit.MILLISECONDS)).isNotNull();
    assertThat(server.takeRequest(500, TimeUnit.MILLISECONDS)).isNull();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void returnsA4xxAtOnceWithTheServersText() {
    service();
    server.enqueue(status(404, "No such recipe: redis-22.04"));
    server.enqueue(status(200, "not asked"));

    HttpResponse<String> response = http.send(get(uri("/~owner/+oci/recipe")));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("No such recipe: redis-22.04");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aSlowBodyRunsIntoTheRequestTimeout() {
    service("request-timeout", "500ms");
    server.enqueue(new MockResponse.Builder().body("0123456789")
        .throttleBody(1, 1, TimeUnit.SECONDS).build());

    long start = System.nanoTime();
    assertThatThrownBy(() -> http.send(get(uri("/slow?token=s3cret"))))
        .isInstanceOfSatisfying(RemoteServiceException.class, e -> {
          assertThat(e.status()).isZero();
          assertThat(e.getCause()).isInstanceOf(HttpTimeoutException.class);
          assertThat(e.getMessage()).contains("/slow").doesNotContain("s3cret");
        });
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aServerThatIsNotThereFailsWithStatusZeroAfterTheRetries() throws Exception {
    service("max-retries", "2");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + port + "/api?oauth_signature=s3cret");

    assertThatThrownBy(() -> http.send(get(nowhere)))
        .isInstanceOfSatisfying(RemoteServiceException.class, e -> {
          assertThat(e.status()).isZero();
          assertThat(e.method()).isEqualTo("GET");
          assertThat(e.uri()).isEqualTo(URI.create("http://127.0.0.1:" + port + "/api"));
          assertThat(e.getMessage()).contains("after 3 attempts").doesNotContain("s3cret");
        });
  }

  @Test
  void keepsToTheConcurrencyLimit() throws Exception {
    service("max-concurrency", "2");
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Semaphore answers = new Semaphore(0);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        most.accumulateAndGet(now.incrementAndGet(), Math::max);
        answers.acquire(); // each request is held until the test lets one answer go
        now.decrementAndGet();
        return status(200, "ok");
      }
    });

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(http.sendAsync(get(uri("/n/" + i))));
    }
    for (int answered = 0; answered < 8; answered++) {
      // Two requests are in before each answer (fewer only at the end): more would show at once.
      int inFlight = Math.min(2, 8 - answered);
      Await.until(inFlight + " requests in", TEN_SECONDS, () -> now.get() >= inFlight);
      answers.release();
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();

    assertThat(calls).allSatisfy(c -> assertThat(c.join().statusCode()).isEqualTo(200));
    assertThat(most.get()).isEqualTo(2);
    assertThat(server.getRequestCount()).isEqualTo(8);
  }

  @Test
  void aBurstOfCallsDoesNotBecomeABurstOfThreads() {
    // Regression: the client's pool was a cached one, and a mass rebuild's first poll (thousands
    // of calls at once) grew it by dozens of threads.
    service("max-concurrency", "64");
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch allIn = new CountDownLatch(64);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        most.accumulateAndGet(now.incrementAndGet(), Math::max);
        // The first 64 are held until all 64 are in at once: the burst at its widest.
        allIn.countDown();
        allIn.await(10, TimeUnit.SECONDS);
        now.decrementAndGet();
        return status(200, "ok");
      }
    });
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      calls.add(http.sendAsync(get(uri("/burst/" + i))));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    assertThat(most.get()).as("calls in flight at once").isEqualTo(64);

    long clientThreads = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("imagebuilder-http-")).count();
    assertThat(calls).allSatisfy(c -> assertThat(c.join().statusCode()).isEqualTo(200));
    assertThat(clientThreads).isBetween(1L, (long) MethanolHttpService.CLIENT_THREADS);
  }

  @Test
  void refusesPlainHttpToAHostThatIsNotLoopback() {
    service();
    // Fails before any connection: no traffic leaves the machine.
    CompletableFuture<HttpResponse<String>> future =
        http.sendAsync(get(URI.create("http://api.launchpad.example/devel/")));

    assertThat(future).isCompletedExceptionally();
    assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("api.launchpad.example")
        .hasMessageContaining("imagebuilder.http.allow-insecure=true");
    assertThatThrownBy(() -> http.send(get(URI.create("http://10.1.2.3/x"))))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void cancellingStopsThePendingRetry() throws Exception {
    service("retry-max-delay", "5s");
    server.enqueue(busy("1"));
    server.enqueue(status(200, "not asked"));

    CompletableFuture<HttpResponse<String>> call = http.sendAsync(get(uri("/x")));
    assertThat(server.takeRequest(2, TimeUnit.SECONDS)).isNotNull();
    // The 503 is in once the retry waits on the scheduler: a task due within Retry-After's second
    // (the attempt's deadline, if still queued, is 5 s away).
    Await.until("the retry waiting on the scheduler", TEN_SECONDS,
        () -> ((ScheduledThreadPoolExecutor) scheduler).getQueue().stream()
            .anyMatch(task -> ((Delayed) task).getDelay(TimeUnit.MILLISECONDS) <= 1000));
    call.cancel(true);

    assertThat(server.takeRequest(1500, TimeUnit.MILLISECONDS)).isNull();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void rejectsBadSettingsNamingTheKey() {
    assertThatThrownBy(() -> HttpSettings.from(MapConfiguration.http("max-concurrency", "0")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.http.max-concurrency")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> HttpSettings.from(MapConfiguration.http("request-timeout", "soon")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.http.request-timeout")
        .hasMessageContaining("soon");
    assertThat(HttpSettings.from(MapConfiguration.http())).isEqualTo(HttpSettings.defaults());
  }

  @Test
  void aBodyThatKeepsFlowingIsNotCutOffByTheTimeout() throws Exception {
    // The timeout is for silence, not for the whole answer. The body goes out one byte at a time,
    // each as soon as the client has the one before: never quiet for more than a round trip, far
    // below the second allowed. It goes on until the silence deadline was checked twice while it
    // flowed (the second check comes a whole timeout after the first, so the body outlasted the
    // timeout), then ends; it must come back whole.
    AtomicInteger silenceChecks = new AtomicInteger();
    scheduler.shutdownNow();
    scheduler = new ScheduledThreadPoolExecutor(2) {
      @Override
      protected void afterExecute(Runnable task, Throwable failure) {
        if (!((Future<?>) task).isCancelled()) {
          silenceChecks.incrementAndGet(); // the only tasks: a 200 is neither retried nor redirected
        }
      }
    };
    service("request-timeout", "1s");
    BlockingQueue<String> toSend = new LinkedBlockingQueue<>();
    server.enqueue(new MockResponse.Builder().body(new GatedChunks(toSend))
        .removeHeader("Content-Length").addHeader("Transfer-Encoding", "chunked").build());
    Semaphore clientHasIt = new Semaphore(0);

    CompletableFuture<HttpResponse<String>> call =
        http.sendAsync(get(uri("/flowing")), signallingEachPart(clientHasIt));
    call.whenComplete((response, failure) -> clientHasIt.release()); // an early end wakes us too
    StringBuilder sent = new StringBuilder();
    int checksBeforeTheBody = -1;
    while (checksBeforeTheBody < 0 || silenceChecks.get() < checksBeforeTheBody + 2) {
      String next = String.valueOf((char) ('a' + sent.length() % 26));
      toSend.add(next);
      sent.append(next);
      assertThat(clientHasIt.tryAcquire(10, TimeUnit.SECONDS)).as("byte %d arrived", sent.length())
          .isTrue();
      assertThat(call).as("the answer, cut off %d bytes in", sent.length()).isNotDone();
      if (checksBeforeTheBody < 0) {
        checksBeforeTheBody = silenceChecks.get();
      }
    }
    toSend.add(GatedChunks.END);

    assertThat(call.get(10, TimeUnit.SECONDS).body()).isEqualTo(sent.toString());
  }

  /** A chunked body whose chunks go out one by one as the test hands them over. */
  private record GatedChunks(BlockingQueue<String> chunks) implements MockResponseBody {
    static final String END = "";

    @Override
    public long getContentLength() {
      return -1;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      while (true) {
        String chunk;
        try {
          chunk = chunks.poll(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("stopped");
        }
        if (chunk == null) {
          throw new IOException("the test handed over no chunk");
        }
        sink.writeUtf8(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
        sink.flush();
        if (chunk.isEmpty()) {
          return;
        }
      }
    }
  }

  /** {@code ofString()}, releasing a permit each time a part of the body reaches it. */
  private static HttpResponse.BodyHandler<String> signallingEachPart(Semaphore received) {
    return info -> new HttpResponse.BodySubscriber<String>() {
      private final HttpResponse.BodySubscriber<String> text =
          HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);

      @Override
      public CompletionStage<String> getBody() {
        return text.getBody();
      }

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        text.onSubscribe(subscription);
      }

      @Override
      public void onNext(List<ByteBuffer> item) {
        text.onNext(item);
        received.release();
      }

      @Override
      public void onError(Throwable throwable) {
        text.onError(throwable);
      }

      @Override
      public void onComplete() {
        text.onComplete();
      }
    };
  }

  @Test
  void anAnswerThatNeverComesRunsIntoTheTimeout() {
    service("request-timeout", "300ms");
    server.enqueue(new MockResponse.Builder().body("late")
        .headersDelay(3, TimeUnit.SECONDS).build());

    assertThatThrownBy(() -> http.send(get(uri("/late"))))
        .isInstanceOfSatisfying(RemoteServiceException.class, e -> {
          assertThat(e.status()).isZero();
          assertThat(e.getCause()).isInstanceOf(HttpTimeoutException.class);
        });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void followsRedirectsAndTurnsAPostInto303GetThere() throws Exception {
    service();
    server.enqueue(new MockResponse.Builder().code(303).setHeader("Location", "/result/1")
        .build());
    server.enqueue(status(200, "the result"));

    HttpResponse<String> response = http.send(post(uri("/+build")));

    assertThat(response.body()).isEqualTo("the result");
    assertThat(response.uri().getPath()).isEqualTo("/result/1");
    assertThat(server.takeRequest().getMethod()).isEqualTo("POST");
    RecordedRequest second = server.takeRequest();
    assertThat(second.getMethod()).isEqualTo("GET");
    assertThat(second.getUrl().encodedPath()).isEqualTo("/result/1");
    assertThat(second.getBodySize()).isZero();
  }

  @Test
  void credentialsDoNotFollowARedirectToAnotherHost() throws Exception {
    service();
    try (MockWebServer other = new MockWebServer()) {
      other.start();
      other.enqueue(status(200, "file"));
      // Same machine, another origin (another port).
      server.enqueue(new MockResponse.Builder().code(302)
          .setHeader("Location", other.url("/librarian/file").toString()).build());

      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/file"))
          .header("Authorization", "OAuth oauth_signature=\"s3cret\"").build());

      assertThat(response.body()).isEqualTo("file");
      assertThat(server.takeRequest().getHeaders().get("Authorization")).contains("s3cret");
      assertThat(other.takeRequest().getHeaders().get("Authorization")).isNull();
    }
  }

  @Test
  void refusesARedirectToPlainHttpOnAnotherHost() {
    service();
    server.enqueue(new MockResponse.Builder().code(302)
        .setHeader("Location", "http://mirror.example/image.img").build());

    assertThatThrownBy(() -> http.send(get(uri("/image.img"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("mirror.example");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void stopsFollowingRedirectLoops() {
    service();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().code(302).setHeader("Location", "/loop").build();
      }
    });

    assertThatThrownBy(() -> http.send(get(uri("/loop"))))
        .isInstanceOfSatisfying(RemoteServiceException.class,
            e -> assertThat(e.status()).isEqualTo(302))
        .hasMessageContaining("redirects");
    assertThat(server.getRequestCount()).isEqualTo(11);
  }

  @Test
  void closeStopsTheClientsSelectorThreadSoItDoesNotHoldUpTheJvmsExit() throws Exception {
    Set<Thread> before = selectorThreads();
    server.enqueue(status(200, "hello"));
    service().send(get(uri("/a")));
    Set<Thread> ours = selectorThreads();
    ours.removeAll(before);
    assertThat(ours).as("the service's client has one selector thread").hasSize(1);

    http.close();
    http = null;

    Thread selector = ours.iterator().next();
    Await.until("the selector thread " + selector.getName() + " to end", TEN_SECONDS, () -> !selector.isAlive());
  }

  /** The JDK client's selector threads: each waits in native code while its client lives. */
  private static Set<Thread> selectorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().matches("HttpClient-\\d+-SelectorManager"))
        .collect(Collectors.toCollection(HashSet::new));
  }
}
