package dev.imagebuilder.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.ProcessRunner;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plumbing as a backend gets it: through ImageBuilder's configuration and BackendContext. */
class PlumbingThroughImageBuilderTest {
  private static final TouchImageRequest TOUCH = ImageRequest.touch()
      .systemImageServer("https://si.example.org").channel("stable").devices("FP4")
      .series("focal").build();

  @TempDir Path state;
  private final MockWebServer server = new MockWebServer();
  private final AtomicReference<BackendContext> context = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private ImageBuilder builder(String... config) {
    BackendProvider probe = new BackendProvider() {
      @Override
      public String name() {
        return "probe";
      }

      @Override
      public boolean supports(Class<? extends ImageRequest> type) {
        return true;
      }

      @Override
      public Backend create(BackendContext c) {
        context.set(c);
        return new FakeFarm.FarmBackend(new FakeFarm(), "probe");
      }
    };
    ImageBuilder.Builder b = ImageBuilder.newBuilder().stateDirectory(state)
        .discoverBackends(false).environment(k -> null).backend(probe);
    for (int i = 0; i < config.length; i += 2) {
      b.config(config[i], config[i + 1]);
    }
    ImageBuilder built = b.build();
    built.plan(TOUCH); // creates the backend, which keeps its context
    return built;
  }

  @Test
  void httpSettingsComeFromTheBuildersHttpScope() {
    try (ImageBuilder b = builder("http.max-retries", "1", "http.retry-base-delay", "10ms")) {
      server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
      server.enqueue(new MockResponse.Builder().code(503).body("still busy").build());
      server.enqueue(new MockResponse.Builder().code(200).body("too late").build());

      HttpResponse<String> r = context.get().http()
          .send(HttpRequest.newBuilder(server.url("/x").uri()).build());

      // One retry allowed: the second 503 is the answer.
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("still busy");
      assertThat(server.getRequestCount()).isEqualTo(2);
      assertThatThrownBy(() -> context.get().http()
          .send(HttpRequest.newBuilder(URI.create("http://mirror.example/x")).build()))
          .isInstanceOf(InvalidRequestException.class);
    }
  }

  @Test
  void aBadHttpSettingFailsTheBuildOfTheImageBuilder() {
    assertThatThrownBy(() -> ImageBuilder.newBuilder().stateDirectory(state)
        .discoverBackends(false).environment(k -> null)
        .config("http.max-concurrency", "none").build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.http.max-concurrency");
  }

  @Test
  void downloadsAndProcessesWorkAndCloseEndsRunningProcesses() throws Exception {
    byte[] body = "a small image".getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    server.enqueue(new MockResponse.Builder().body("a small image").build());
    ImageBuilder b = builder();

    Downloader.Download d = context.get().downloader().download(new Downloader.Request(
        server.url("/img").uri(), state.resolve("img"), body.length, sha), null)
        .get(10, TimeUnit.SECONDS);
    assertThat(Files.readAllBytes(d.path())).isEqualTo(body);

    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    CompletableFuture<ProcessRunner.Result> running = context.get().processes()
        .run(ProcessRunner.Spec.of("sh", "-c", "echo $$; exec sleep 30"), lines::add);
    long pid = Long.parseLong(lines.poll(5, TimeUnit.SECONDS));

    b.close();

    assertThat(running).isCancelled();
    ProcessHandle.of(pid).ifPresent(p -> assertThat(p.onExit()).as("process %d ends", pid)
        .succeedsWithin(Duration.ofSeconds(5)));
  }
}
