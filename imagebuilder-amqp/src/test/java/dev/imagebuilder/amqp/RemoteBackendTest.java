package dev.imagebuilder.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import dev.imagebuilder.amqp.internal.ProgressReport;
import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.core.WireFormat;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.FakeBackend;
import dev.imagebuilder.testkit.FakeBackend.Call.Kind;
import dev.imagebuilder.testkit.TargetScript;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code amqp} backend handing requests to a real worker over a real broker. */
class RemoteBackendTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path dir;
  private Broker broker;
  private FakeBackend fake;
  private String queue;
  private QueueWorker worker;
  private final List<AutoCloseable> closeLast = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    broker = Broker.connect();
    fake = FakeBackend.create().defaultScript(TargetScript.of(TargetState.BUILDING));
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
    startWorker(ImageBuilder.newBuilder().discoverBackends(false).backend(fake.provider()));
  }

  private ImageBuilder client(String... config) {
    ImageBuilder.Builder b = ImageBuilder.newBuilder().discoverBackends(false)
        .backend(new AmqpBackendProvider())
        .config("amqp.uri", Broker.URI).config("amqp.queue", queue)
        .config("amqp.reply-expiry", "60s") // what a failed test leaves behind goes soon
        .stateDirectory(dir.resolve("client-state"));
    for (int i = 0; i < config.length; i += 2) {
      b.config(config[i], config[i + 1]);
    }
    ImageBuilder client = b.build();
    closeLast.add(client);
    return client;
  }

  private static String replyQueue(BuildHandle handle) {
    return handle.ticket().json().replaceAll(".*\"reply_queue\":\"([^\"]+)\".*", "$1");
  }

  private void assertReplyQueueRemoved(BuildHandle handle) throws InterruptedException {
    String reply = replyQueue(handle);
    assertThat(reply).startsWith("imagebuilder.reply.");
    broker.forget(reply);
    Await.until("the reply queue's removal", WAIT, () -> !broker.exists(reply));
  }

  private static ImageRequest cloud() {
    return ImageRequest.cloud().image("https://cloud-images.example.org/jammy.img").series("jammy")
        .packages("hello").build();
  }

  @Test
  void requestTravelsToTheWorkerAndItsProgressComesBack() throws Exception {
    startWorker();
    List<BuildEvent> events = new CopyOnWriteArrayList<>();
    CompletableFuture<BuildEvent> completion = new CompletableFuture<>();
    BuildHandle handle = client().submit(cloud());
    handle.subscribe(e -> {
      events.add(e);
      if (e instanceof BuildEvent.Completed) {
        completion.complete(e);
      }
    });
    assertThat(handle.backend()).isEqualTo("amqp");

    fake.awaitBuilds(1, WAIT);
    Await.until("the target on the client", WAIT, () -> handle.targets().size() == 1
        && handle.targets().get(0).state() == TargetState.BUILDING);
    assertThat(handle.status()).isEqualTo(BuildStatus.RUNNING);

    fake.finish(fake.onlyBuild().id(), TargetState.SUCCEEDED);
    BuildResult result = handle.await(WAIT);
    assertThat(result.succeeded()).isTrue();
    assertThat(result.targets()).singleElement().satisfies(t -> {
      assertThat(t.key()).isEqualTo("image");
      assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
      assertThat(t.outputs()).containsEntry("artifact", fake.onlyBuild().id() + "/image");
    });
    // Events reach listeners asynchronously, the completion last.
    completion.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(
        BuildEvent.TargetStateChanged.class,
        c -> assertThat(c.current().state()).isEqualTo(TargetState.SUCCEEDED)));
    assertThat(fake.calls(Kind.SUBMIT).size()).isEqualTo(1);
    Await.until("the worker's acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    assertThat(broker.messageCount(queue)).isZero();
    assertReplyQueueRemoved(handle);
  }

  @Test
  void touchRequestReachesTheWorkerIntact() throws Exception {
    startWorker();
    ImageRequest touch = ImageRequest.touch().systemImageServer("https://system-image.example.org")
        .channel("20.04/arm64/android9plus/stable").devices("FP4", "FP5").series("focal")
        .ppas("ppa:owner/name").packages("foo").targetChannel("custom/focal/stable").build();
    BuildHandle handle = client("amqp.image-types", "touch").submit(touch);
    fake.awaitBuilds(1, WAIT);
    assertThat(fake.submittedRequests()).containsExactly(touch);
    fake.finish(fake.onlyBuild().id(), TargetState.SUCCEEDED);
    assertThat(handle.await(WAIT).succeeded()).isTrue();
  }

  @Test
  void failedRemoteTargetIsAFailedResult() throws Exception {
    startWorker();
    ImageBuilder client = client();
    BuildHandle handle = client.submit(cloud());
    fake.awaitBuilds(1, WAIT);
    fake.finish(fake.onlyBuild().id(), TargetState.FAILED_TO_BUILD);
    BuildResult result = handle.await(WAIT);
    client.close();
    assertThat(result.succeeded()).isFalse();
    assertThat(result.failedTargets()).singleElement()
        .satisfies(t -> assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_BUILD));
    // Regression: a report with every target terminal completed the build on the client, which
    // was closed before the final report came to remove the reply queue.
    assertReplyQueueRemoved(handle);
  }

  @Test
  void cancelReachesTheWorkerAndTheRemoteBuild() throws Exception {
    startWorker();
    BuildHandle handle = client().submit(cloud());
    fake.awaitBuilds(1, WAIT);
    Await.until("the build reported to the client", WAIT,
        () -> handle.targets().stream().noneMatch(t -> t.key().equals("request")));
    String build = fake.onlyBuild().id();

    handle.cancel().get();
    assertThat(handle.status()).isEqualTo(BuildStatus.CANCELLED);
    fake.awaitCalls(Kind.CANCEL, 1, WAIT); // the remote cancel
    assertThat(fake.calls(Kind.CANCEL)).hasSize(1);
    assertThat(fake.build(build).orElseThrow().state()).isEqualTo(TargetState.CANCELLED);
    assertReplyQueueRemoved(handle);
    Await.until("the worker's acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    assertThat(broker.messageCount(queue)).isZero();
  }

  @Test
  void ticketResumesTheRemoteBuildInAnotherClient() throws Exception {
    startWorker();
    ImageBuilder first = client();
    BuildHandle handle = first.submit(cloud());
    fake.awaitBuilds(1, WAIT);
    Await.until("the hand-off confirmed", WAIT,
        () -> handle.ticket().json().contains("\"handoff\":\"published\""));
    Ticket ticket = handle.ticket();
    assertThat(ticket.json()).contains("reply_queue").doesNotContain("guest");
    first.close();

    BuildHandle resumed = client().resume(ticket);
    fake.finish(fake.onlyBuild().id(), TargetState.SUCCEEDED);
    assertThat(resumed.await(WAIT).succeeded()).isTrue();
    assertThat(fake.calls(Kind.SUBMIT).size()).isEqualTo(1);

    // Its end was read: resuming once more says so rather than waiting forever.
    BuildHandle again = client().resume(ticket);
    assertThatThrownBy(() -> again.await(WAIT)).isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("reply queue").hasMessageContaining("is gone");
    assertThat(fake.calls(Kind.SUBMIT).size()).isEqualTo(1);
  }

  @Test
  void aHandOffRecordedButNeverConfirmedIsResumedUnconfirmedAndNotPublishedAgain() throws Exception {
    startWorker();
    ImageBuilder first = client();
    List<Ticket> recorded = new java.util.concurrent.CopyOnWriteArrayList<>();
    BuildHandle handle = first.submit(cloud(), (id, t) -> recorded.add(t));
    fake.awaitBuilds(1, WAIT);
    // The record made before the publish: what a process killed between the two leaves.
    Ticket beforePublish = recorded.get(0);
    assertThat(beforePublish.json()).contains("\"handoff\":\"publishing\"").contains("\"targets\":[\"request\"]");
    first.close();

    BuildResult r = client().resume(beforePublish).await(WAIT);

    assertThat(r.targets()).singleElement().satisfies(t -> {
      assertThat(t.state()).isEqualTo(TargetState.UNCONFIRMED);
      assertThat(t.errorSummary()).contains("cannot be checked").contains("worker journal entry");
      // What to do, within what the command line shows of an error (its first 240 characters).
      assertThat(t.errorSummary().indexOf("submit the request again")).isBetween(0, 240 - "submit the request again".length());
    });
    assertThat(broker.messageCount(queue)).as("nothing published again").isZero();
    assertThat(fake.calls(Kind.SUBMIT).size()).isEqualTo(1);
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
    Await.until("the queue to drain", WAIT, () -> worker.activeRequests() == 0);
    assertThat(broker.messageCount(queue)).isZero();
  }

  @Test
  void clientSpeaksTheDocumentedProtocol() throws Exception {
    // No worker: the test reads the request and answers as a worker would.
    ImageBuilder client = client();
    CompletableFuture<BuildEvent> compiling = new CompletableFuture<>();
    BuildHandle handle = client.submit(cloud());
    handle.subscribe(e -> {
      if (e instanceof BuildEvent.Progress p && p.message().equals("compiling")) {
        compiling.complete(e);
      }
    });
    Await.until("the work queue", WAIT, () -> broker.exists(queue));
    GetResponse request = broker.next(queue, WAIT);
    AMQP.BasicProperties props = request.getProps();
    String id = props.getMessageId();
    assertThat(props.getHeaders().get("x-imagebuilder-request-id").toString()).isEqualTo(id);
    assertThat(props.getDeliveryMode()).isEqualTo(2);
    assertThat(props.getContentType()).isEqualTo("application/json");
    assertThat(props.getReplyTo()).isEqualTo("imagebuilder.reply." + id);
    assertThat(WireFormat.parse(new String(request.getBody(), StandardCharsets.UTF_8)))
        .containsExactly(cloud());

    TargetStatus building = new TargetStatus("image", Map.of(), TargetState.BUILDING, "building",
        null, null, null, Map.of(), 1);
    broker.publish(props.getReplyTo(), new ProgressReport(id, 0, 1, "cloud", "b-remote", "farm",
        "running", BuildStatus.RUNNING, "compiling", List.of(building), null, "hand", Instant.now())
        .toJson(), null);
    Await.until("the target on the client", WAIT, () -> handle.targets().size() == 1);
    compiling.get(WAIT.toMillis(), TimeUnit.MILLISECONDS); // the progress event

    // Every target ended, in a report that is not yet the final one: the build is over here.
    broker.publish(props.getReplyTo(), new ProgressReport(id, 0, 1, "cloud", "b-remote", "farm",
        "running", BuildStatus.RUNNING, null,
        List.of(building.withState(TargetState.SUCCEEDED, "done")), null, "hand", Instant.now())
        .toJson(), null);
    assertThat(handle.await(WAIT).succeeded()).isTrue();
    client.close();
    // Regression: the reply queue was removed only by the final report, which the closed client
    // never read; it was left behind.
    assertReplyQueueRemoved(handle);
  }

  @Test
  void unreachableBrokerFailsTheBuildWithoutShowingThePassword() {
    ImageBuilder client = client("amqp.uri", "amqp://guest:secret@127.0.0.1:1/");
    BuildHandle handle = client.submit(cloud());
    assertThatThrownBy(() -> handle.await(WAIT)).isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("cannot reach the broker").hasMessageNotContaining("secret");
    assertThat(handle.status()).isEqualTo(BuildStatus.ERROR);
    assertThat(handle.ticket().json()).doesNotContain("secret");
  }

  @Test
  void onlyConfiguredImageTypesAreHandedOver() {
    ImageBuilder client = client("amqp.image-types", "touch");
    assertThatThrownBy(() -> client.submit(cloud())).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.amqp.image-types").hasMessageContaining("cloud");
  }
}
