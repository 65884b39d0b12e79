package dev.imagebuilder.core.internal.download;

import static dev.imagebuilder.core.internal.download.StreamingDownloaderTest.filesIn;
import static dev.imagebuilder.core.internal.download.StreamingDownloaderTest.randomBytes;
import static dev.imagebuilder.core.internal.download.StreamingDownloaderTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.core.internal.download.StreamingDownloaderTest.HeldWorker;
import dev.imagebuilder.spi.Downloader.Download;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempFileTest {
  private static final int CHUNK = 64 * 1024;
  @TempDir Path dir;

  @Test
  void aWriterRunsTheEarlyForceItselfWhenThePoolHasNotStartedItYet() throws Exception {
    // A pool that never gets round to it (all its threads busy, or a single thread that is the
    // writer itself): the writer must not wait for a task queued behind it.
    HeldWorker busyPool = new HeldWorker();
    byte[] data = randomBytes(10 * CHUNK);
    TempFile file = TempFile.create(URI.create("http://127.0.0.1/x"), dir.resolve("x"), -1,
        new ProgressThrottle(null, -1), TempFile.Opener.DEFAULT, busyPool, 2 * CHUNK);

    for (int i = 0; i < 10; i++) {
      file.write(ByteBuffer.wrap(data, i * CHUNK, CHUNK));
    }
    Download d = file.commit(sha256(data));

    assertThat(busyPool.tasks).as("one early force every two chunks").hasSize(5);
    busyPool.runAll(); // already run by the writer: nothing happens
    assertThat(Files.readAllBytes(d.path())).isEqualTo(data);
    assertThat(filesIn(dir)).containsExactly("x");
  }

  @Test
  void earlyForcesOnThePoolLeaveTheBytesIntact() throws Exception {
    byte[] data = randomBytes(10 * CHUNK);
    TempFile file = TempFile.create(URI.create("http://127.0.0.1/y"), dir.resolve("y"), -1,
        new ProgressThrottle(null, -1), TempFile.Opener.DEFAULT, Runnable::run, CHUNK);

    for (int i = 0; i < 10; i++) {
      file.write(ByteBuffer.wrap(data, i * CHUNK, CHUNK));
    }

    assertThat(Files.readAllBytes(file.commit(sha256(data)).path())).isEqualTo(data);
  }
}
