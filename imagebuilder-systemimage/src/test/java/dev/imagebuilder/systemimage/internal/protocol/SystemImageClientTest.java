package dev.imagebuilder.systemimage.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.HttpService;
import dev.imagebuilder.systemimage.support.Contexts;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/** Documents are read into memory, so their size is capped while they arrive. */
class SystemImageClientTest {
  @Test
  void aDocumentLargerThanTheLimitIsRefusedWhileItArrives() throws Exception {
    try (MockWebServer server = new MockWebServer();
        ImageBuilder builder = ImageBuilder.newBuilder().discoverBackends(false).build()) {
      // 1.5 MiB at once, then a long pause: only a reader that stops at the limit answers
      // before the request's 10 s timeout (one that reads the whole body first times out).
      server.enqueue(new MockResponse.Builder().code(200)
          .body(new Buffer().write(new byte[4 * 1024 * 1024]))
          .throttleBody(1536 * 1024, 15, java.util.concurrent.TimeUnit.SECONDS).build());
      server.enqueue(new MockResponse.Builder().code(200).body("{\"c\": {\"devices\": {}}}").build());
      server.start();
      HttpService http = Contexts.http(builder);
      String base = server.url("/").toString();
      SystemImageClient client = new SystemImageClient(http,
          java.net.URI.create(base), Duration.ofSeconds(10), 1024 * 1024);

      assertThatThrownBy(() -> client.get(RemotePath.of("t", "/channels.json")))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining("/channels.json").hasMessageContaining("larger than 1048576 bytes");
      assertThat(client.channels()).containsKey("c");
    }
  }
}
