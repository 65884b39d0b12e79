package dev.imagebuilder.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.core.ImageBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code amqp} backend handing requests to a real worker over a real broker. */
class RemoteBackendTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path dir;
  private Broker broker;
  private BuildFarm farm;
  private String queue;
  private QueueWorker worker;
  private final List<AutoCloseable> closeLast = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    broker = Broker.connect();
    farm = new BuildFarm();
    queue = broker.workQueue();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeLast.size() - 1; i >= 0; i--) {
      closeLast.get(i).close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private void startWorker(ImageBuilder.Builder workerBuilder) {
    ImageBuilder local = workerBuilder.stateDirectory(dir.resolve("worker-state")).build();
    closeLast.add(local);
    worker = QueueWorker.newBuilder().uri(Broker.URI).queue(queue).imageBuilder(local)
        .journalDirectory(dir.resolve("journal")).workerId("worker").prefetch(2)
        .progressInterval(Duration.ofMillis(500)).build();
    closeLast.add(worker);
    worker.start();
  }

  private void startWorker() {
    startWorker(ImageBuilder.newBuilder().discoverBackends(false).backend(farm.provider()));
  }

  private ImageBuilder client(String... config) {
    ImageBuilder.Builder b = ImageBuilder.newBuilder().discoverBackends(false)
        .backend(new AmqpBackendProvider())
        .config("amqp.uri", Broker.URI).config("amqp.queue", queue)
        .stateDirectory(dir.resolve("client-state"));
    for (int i = 0; i < config.length; i += 2) {
      b.config(config[i], config[i + 1]);
    }
    ImageBuilder client = b.build();
    closeLast.add(client);
    return client;
  }

  private static ImageRequest cloud() {
    return ImageRequest.cloud().image("https://cloud-images.example.org/jammy.img").series("jammy")
        .packages("hello").build();
  }

  @Test
  void requestTravelsToTheWorkerAndItsProgressComesBack() throws Exception {
    startWorker();
    List<BuildEvent> events = new CopyOnWriteArrayList<>();
    BuildHandle handle = client().submit(cloud());
    handle.subscribe(events::add);
    assertThat(handle.backend()).isEqualTo("amqp");

    BuildFarm.await("the build on the farm", WAIT, () -> farm.builds().size() == 1);
    BuildFarm.await("the target on the client", WAIT, () -> handle.targets().size() == 1
        && handle.targets().get(0).state() == TargetState.BUILDING);
    assertThat(handle.status()).isEqualTo(BuildStatus.RUNNING);

    farm.finish(farm.onlyBuild(), TargetState.SUCCEEDED);
    BuildResult result = handle.await(WAIT);
    assertThat(result.succeeded()).isTrue();
    assertThat(result.targets()).singleElement().satisfies(t -> {
      assertThat(t.key()).isEqualTo("image");
      assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
      assertThat(t.outputs()).containsEntry("image", farm.onlyBuild() + ".img");
    });
    assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(
        BuildEvent.TargetStateChanged.class,
        c -> assertThat(c.current().state()).isEqualTo(TargetState.SUCCEEDED)));
    assertThat(farm.starts.get()).isEqualTo(1);
    BuildFarm.await("the worker's acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    assertThat(broker.messageCount(queue)).isZero();
  }

  @Test
  void failedRemoteTargetIsAFailedResult() throws Exception {
    startWorker();
    BuildHandle handle = client().submit(cloud());
    BuildFarm.await("the build on the farm", WAIT, () -> farm.builds().size() == 1);
    farm.finish(farm.onlyBuild(), TargetState.FAILED_TO_BUILD);
    BuildResult result = handle.await(WAIT);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.failedTargets()).singleElement()
        .satisfies(t -> assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_BUILD));
  }

  @Test
  void cancelReachesTheWorkerAndTheRemoteBuild() throws Exception {
    startWorker();
    BuildHandle handle = client().submit(cloud());
    BuildFarm.await("the target on the client", WAIT, () -> !handle.targets().isEmpty());
    String build = farm.onlyBuild();

    handle.cancel().get();
    assertThat(handle.status()).isEqualTo(BuildStatus.CANCELLED);
    BuildFarm.await("the remote cancel", WAIT, () -> farm.cancels.get() == 1);
    assertThat(farm.state(build)).isEqualTo(TargetState.CANCELLED);
    BuildFarm.await("the worker's acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    assertThat(broker.messageCount(queue)).isZero();
  }

  @Test
  void ticketResumesTheRemoteBuildInAnotherClient() throws Exception {
    startWorker();
    ImageBuilder first = client();
    BuildHandle handle = first.submit(cloud());
    BuildFarm.await("the target on the client", WAIT, () -> !handle.targets().isEmpty());
    Ticket ticket = handle.ticket();
    assertThat(ticket.json()).contains("reply_queue").doesNotContain("guest");
    first.close();

    BuildHandle resumed = client().resume(ticket);
    farm.finish(farm.onlyBuild(), TargetState.SUCCEEDED);
    assertThat(resumed.await(WAIT).succeeded()).isTrue();
    assertThat(farm.starts.get()).isEqualTo(1);
  }

  @Test
  void workerThatCannotServeTheTypeEndsTheBuildWithItsReason() throws Exception {
    startWorker(ImageBuilder.newBuilder().discoverBackends(false));
    BuildHandle handle = client().submit(cloud());
    assertThatThrownBy(() -> handle.await(WAIT)).isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("worker").hasMessageContaining("cloud");
    assertThat(handle.status()).isEqualTo(BuildStatus.ERROR);
  }

  @Test
  void workerNeverHandsRequestsBackToAQueue() throws Exception {
    // A worker whose own builder would choose the amqp backend: a loop, refused.
    startWorker(ImageBuilder.newBuilder().discoverBackends(false).backend(new AmqpBackendProvider())
        .config("amqp.uri", Broker.URI).config("amqp.queue", queue));
    BuildHandle handle = client().submit(cloud());
    assertThatThrownBy(() -> handle.await(WAIT)).isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("back to a queue");
    BuildFarm.await("the queue to drain", WAIT, () -> worker.activeRequests() == 0);
    assertThat(broker.messageCount(queue)).isZero();
  }

  @Test
  void onlyConfiguredImageTypesAreHandedOver() {
    ImageBuilder client = client("amqp.image-types", "touch");
    assertThatThrownBy(() -> client.submit(cloud())).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.amqp.image-types").hasMessageContaining("cloud");
  }
}
