package dev.imagebuilder.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import dev.imagebuilder.amqp.internal.ProgressReport;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.FakeBackend;
import dev.imagebuilder.testkit.FakeBackend.Call.Kind;
import dev.imagebuilder.testkit.TargetScript;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker against a real RabbitMQ broker, building on the test kit's {@link FakeBackend}: its
 * builds stay BUILDING until the test finishes them, and every ImageBuilder of a test (workers on
 * several machines) shares it, as they share one remote system.
 */
class QueueWorkerTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path journal;
  private Broker broker;
  private FakeBackend fake;
  private String queue;
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

  private ImageBuilder imageBuilder() {
    ImageBuilder b = ImageBuilder.newBuilder().discoverBackends(false).backend(fake.provider())
        .stateDirectory(journal.resolve("state")).build();
    closeLast.add(b);
    return b;
  }

  private QueueWorker.Builder worker(String id, ImageBuilder builder) {
    return QueueWorker.newBuilder().uri(Broker.URI).queue(queue).imageBuilder(builder)
        .journalDirectory(journal.resolve("journal")).workerId(id).prefetch(1)
        .progressInterval(Duration.ofMillis(300));
  }

  private QueueWorker started(QueueWorker.Builder builder) {
    QueueWorker w = builder.build();
    closeLast.add(w);
    return w.start();
  }

  private static String cloud(String trigger) {
    return "[{\"image_type\": \"cloud\", \"image\": \"https://cloud-images.example.org/jammy.img\","
        + " \"series\": \"jammy\", \"ppa_list\": [\"ppa:owner/tools\"], \"package_list\": [\"hello\"],"
        + " \"trigger\": \"" + trigger + "\"}]";
  }

  @Test
  void buildsRequestAndReportsProgressUntilTheEndThenAcknowledges() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker worker = started(worker("w1", imageBuilder()));
    String id = broker.publishRequest(queue, cloud(trigger));

    List<ProgressReport> running = broker.reportsUntil(trigger, WAIT,
        r -> r.targets().size() == 1 && r.targets().get(0).state() == TargetState.BUILDING);
    ProgressReport first = running.get(running.size() - 1);
    assertThat(first.requestId()).isEqualTo(id);
    assertThat(first.state()).isEqualTo("running");
    assertThat(first.status()).isEqualTo(BuildStatus.RUNNING);
    assertThat(first.imageType()).isEqualTo("cloud");
    assertThat(first.backend()).isEqualTo("fake");
    assertThat(first.worker()).isEqualTo("w1");
    assertThat(worker.activeRequests()).isEqualTo(1);

    // Nothing changes on the fake backend: the progress interval still produces reports.
    List<ProgressReport> quiet = broker.reportsUntil(trigger, WAIT, r -> true);
    quiet.addAll(broker.reportsUntil(trigger, WAIT, r -> true));
    assertThat(quiet).allSatisfy(r -> assertThat(r.state()).isEqualTo("running"));

    fake.finish(fake.onlyBuild().id(), TargetState.SUCCEEDED);
    List<ProgressReport> rest = broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    ProgressReport end = rest.get(rest.size() - 1);
    assertThat(end.state()).isEqualTo("completed");
    assertThat(end.status()).isEqualTo(BuildStatus.SUCCEEDED);
    assertThat(end.finished()).isNotNull();
    assertThat(end.targets()).singleElement().satisfies(t -> {
      assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
      assertThat(t.outputs()).containsEntry("artifact", fake.onlyBuild().id() + "/image");
    });

    Await.until("the acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    worker.close();
    // Had it not been acknowledged, closing the connection would have put it back.
    assertThat(broker.messageCount(queue)).isZero();
    assertThat(submits()).isEqualTo(1);
    assertThat(resumes()).isZero();
  }

  @Test
  void eachItemReportsToItsOwnTriggerAndTheRequestIsAcknowledgedAfterBothEnds() throws Exception {
    String first = broker.triggerQueue();
    String second = "test.trigger.undeclared." + java.util.UUID.randomUUID(); // the worker declares it
    broker.forget(second);
    QueueWorker worker = started(worker("w1", imageBuilder()));
    String id = broker.publishRequest(queue, "[" + cloud(first).substring(1, cloud(first).length() - 1)
        + ", {\"image_type\": \"touch\", \"system-image-server\": \"https://si.example.org\","
        + " \"system-image-channel\": \"20.04/arm64/android9plus/stable\", \"devices\": [\"FP4\"],"
        + " \"series\": \"focal\", \"package_list\": [\"foo\"], \"trigger\": \"" + second + "\"}]");
    fake.awaitBuilds(2, WAIT);
    assertThat(fake.submittedRequests()).extracting(r -> r.imageType()).containsExactlyInAnyOrder("cloud", "touch");

    fake.finish(buildOf("cloud"), TargetState.SUCCEEDED);
    List<ProgressReport> one = broker.reportsUntil(first, WAIT, ProgressReport::isTerminal);
    assertThat(one).allSatisfy(r -> {
      assertThat(r.requestId()).isEqualTo(id);
      assertThat(r.item()).isZero();
      assertThat(r.items()).isEqualTo(2);
      assertThat(r.imageType()).isEqualTo("cloud");
    });
    // One item ended: the request is still held, unacknowledged.
    assertThat(worker.activeRequests()).isEqualTo(1);

    fake.finishAll(TargetState.SUCCEEDED);
    List<ProgressReport> two = broker.reportsUntil(second, WAIT, ProgressReport::isTerminal);
    assertThat(two).allSatisfy(r -> {
      assertThat(r.item()).isEqualTo(1);
      assertThat(r.imageType()).isEqualTo("touch");
    });
    Await.until("the acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    worker.close();
    assertThat(broker.messageCount(queue)).isZero();
  }

  @Test
  void failedTargetEndsAsFailedReport() throws Exception {
    String trigger = broker.triggerQueue();
    started(worker("w1", imageBuilder()));
    broker.publishRequest(queue, cloud(trigger));
    fake.awaitBuilds(1, WAIT);
    fake.finish(fake.onlyBuild().id(), TargetState.FAILED_TO_BUILD);

    List<ProgressReport> reports = broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    ProgressReport end = reports.get(reports.size() - 1);
    assertThat(end.state()).isEqualTo("failed");
    assertThat(end.status()).isEqualTo(BuildStatus.FAILED);
    // Regression: the target's last change went out as a "running" report with every target
    // ended, which readers took for the end.
    assertThat(reports.subList(0, reports.size() - 1)).allSatisfy(r -> assertThat(r.targets())
        .allSatisfy(t -> assertThat(t.state().isTerminal()).isFalse()));
    assertThat(end.targets()).singleElement()
        .satisfies(t -> assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_BUILD));
    assertThat(new String(endJson(end), StandardCharsets.UTF_8))
        .contains("\"failed_targets\":[\"image\"]");
  }

  /**
   * Regression: when the journal could not be written after the end was published, the exception
   * vanished on the worker's thread and the request was never acknowledged, holding its slot.
   */
  @Test
  void requestIsAcknowledgedWhenItsPublishedEndCannotBeJournaled() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker worker = started(worker("w1", imageBuilder()));
    broker.publishRequest(queue, cloud(trigger));
    broker.reportsUntil(trigger, WAIT, r -> !r.targets().isEmpty());
    Path dir = journal.resolve("journal");
    Files.move(dir, journal.resolve("journal.moved"));
    Files.writeString(dir, "not a directory: every journal write fails");

    fake.finish(fake.onlyBuild().id(), TargetState.SUCCEEDED);
    List<ProgressReport> rest = broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    assertThat(rest.get(rest.size() - 1).status()).isEqualTo(BuildStatus.SUCCEEDED);

    Await.until("the acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    worker.close();
    assertThat(broker.messageCount(queue)).isZero();
    assertThat(submits()).isEqualTo(1);
  }

  /**
   * Regression: a trigger queue the broker refuses to create ("amq." names are reserved) made the
   * final report fail again every 5 seconds, forever, so the request was never acknowledged.
   */
  @Test
  void requestWhoseTriggerQueueCannotBeCreatedStillEnds() throws Exception {
    QueueWorker worker = started(worker("w1", imageBuilder()));
    broker.publishRequest(queue, cloud("amq.imagebuilder-test-" + java.util.UUID.randomUUID()));
    fake.awaitBuilds(1, WAIT);

    fake.finish(fake.onlyBuild().id(), TargetState.SUCCEEDED);

    Await.until("the acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    worker.close();
    assertThat(broker.messageCount(queue)).isZero();
    assertThat(submits()).isEqualTo(1);
  }

  /**
   * Regression: when the work queue was deleted (to give it the dead-letter argument, say), the
   * broker cancelled the worker's consumer and the worker went on idle, connected, forever.
   */
  @Test
  void workerWhoseQueueIsDeletedDeclaresItAgainAndServesIt() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker worker = started(worker("w1", imageBuilder()));
    broker.deleteQueue(queue);

    Await.until("the queue declared again", Duration.ofSeconds(30), () -> broker.exists(queue));
    broker.publishRequest(queue, cloud(trigger));
    fake.awaitBuilds(1, WAIT);
    fake.finish(fake.onlyBuild().id(), TargetState.SUCCEEDED);
    List<ProgressReport> rest = broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    assertThat(rest.get(rest.size() - 1).status()).isEqualTo(BuildStatus.SUCCEEDED);
    Await.until("the acknowledgement", WAIT, () -> worker.activeRequests() == 0);
  }

  private static byte[] endJson(ProgressReport r) {
    return r.toJson();
  }

  @Test
  void killedWorkersRequestIsFinishedByAnotherWithoutBuildingAgain() throws Exception {
    String trigger = broker.triggerQueue();
    ImageBuilder firstBuilder = imageBuilder();
    QueueWorker first = started(worker("first", firstBuilder));
    String id = broker.publishRequest(queue, cloud(trigger));
    broker.reportsUntil(trigger, WAIT, r -> !r.targets().isEmpty());
    assertThat(submits()).isEqualTo(1);
    String build = fake.onlyBuild().id();

    // The process dies: its connection drops without an acknowledgement, its builder with it.
    first.abort();
    firstBuilder.close();

    QueueWorker second = started(worker("second", imageBuilder()));
    fake.awaitCalls(Kind.RESUME, 1, WAIT); // the takeover
    List<ProgressReport> resumed = broker.reportsUntil(trigger, WAIT, r -> "second".equals(r.worker()));
    assertThat(resumed.get(resumed.size() - 1).requestId()).isEqualTo(id);

    fake.finish(build, TargetState.SUCCEEDED);
    List<ProgressReport> rest = broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    ProgressReport end = rest.get(rest.size() - 1);
    assertThat(end.worker()).isEqualTo("second");
    assertThat(end.status()).isEqualTo(BuildStatus.SUCCEEDED);

    Await.until("the acknowledgement", WAIT, () -> second.activeRequests() == 0);
    second.close();
    assertThat(broker.messageCount(queue)).isZero();
    assertThat(submits()).as("builds started").isEqualTo(1);
    assertThat(fake.builds()).extracting(FakeBackend.Build::id).containsExactly(build);
  }

  @Test
  void aWorkerKilledBeforeItsBuildPlannedATargetIsFollowedByARealBuildNotASuccessOfNothing() throws Exception {
    String trigger = broker.triggerQueue();
    fake.holdSubmissions();
    ImageBuilder firstBuilder = imageBuilder();
    QueueWorker first = started(worker("first", firstBuilder));
    String id = broker.publishRequest(queue, cloud(trigger));
    List<ProgressReport> before = broker.reportsUntil(trigger, WAIT, r -> "first".equals(r.worker()));
    assertThat(before.get(before.size() - 1).targets()).isEmpty();

    // The process dies after its first report, before its build planned anything.
    first.abort();
    firstBuilder.close();
    assertThat(fake.builds()).isEmpty();
    fake.releaseSubmissions();

    QueueWorker second = started(worker("second", imageBuilder()));
    fake.awaitBuilds(1, WAIT);
    fake.finishAll(TargetState.SUCCEEDED);
    List<ProgressReport> rest = broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    assertThat(rest).filteredOn(ProgressReport::isTerminal).singleElement().satisfies(end -> {
      assertThat(end.requestId()).isEqualTo(id);
      assertThat(end.worker()).isEqualTo("second");
      assertThat(end.status()).isEqualTo(BuildStatus.SUCCEEDED);
      assertThat(end.targets()).singleElement().satisfies(t -> assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED));
    });
    assertThat(resumes()).as("a ticket without targets is not resumed").isZero();
    Await.until("the acknowledgement", WAIT, () -> second.activeRequests() == 0);
  }

  @Test
  void aRequestIdReusedWithAnotherBodyIsDeadLetteredAndTheFirstRequestIsLeftAlone() throws Exception {
    String trigger = broker.triggerQueue();
    String otherTrigger = broker.triggerQueue();
    QueueWorker worker = started(worker("w1", imageBuilder()));
    String id = broker.publishRequest(queue, cloud(trigger));
    fake.awaitBuilds(1, WAIT);
    fake.finishAll(TargetState.SUCCEEDED);
    broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    Await.until("the acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    String firstEntry = Files.readString(journal.resolve("journal").resolve(id + ".json"));

    byte[] other = cloud(otherTrigger).replace("hello", "cowsay").getBytes(StandardCharsets.UTF_8);
    broker.publish(queue, other, new AMQP.BasicProperties.Builder()
        .headers(Map.of("x-imagebuilder-request-id", id)).build());

    GetResponse dead = broker.next(queue + ".dead", WAIT);
    assertThat(dead.getBody()).isEqualTo(other);
    assertThat(header(dead, "x-imagebuilder-error")).contains(id).contains("already used by another request");
    assertThat(header(dead, "x-imagebuilder-error-field")).isEqualTo("message_id");
    // The reader the second body names hears of it; the first request and its journal are untouched.
    ProgressReport rejection = ProgressReport.fromJson(broker.next(otherTrigger, WAIT).getBody());
    assertThat(rejection.state()).isEqualTo("failed");
    assertThat(rejection.message()).contains("already used by another request");
    assertThat(Files.readString(journal.resolve("journal").resolve(id + ".json"))).isEqualTo(firstEntry);
    assertThat(submits()).isEqualTo(1);
    worker.close();
  }

  @Test
  void aRejectedRequestIsReportedToTheTriggerQueueItNames() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker worker = started(worker("w1", imageBuilder()));
    byte[] badItem = ("[{\"image_type\": \"cloud\", \"image\": \"ftp://example.org/a.img\","
        + " \"series\": \"jammy\", \"trigger\": \"" + trigger + "\"}]").getBytes(StandardCharsets.UTF_8);
    broker.publish(queue, badItem, new AMQP.BasicProperties.Builder().messageId("bad-item-2").build());

    ProgressReport rejection = ProgressReport.fromJson(broker.next(trigger, WAIT).getBody());
    assertThat(rejection.requestId()).isEqualTo("bad-item-2");
    assertThat(rejection.state()).isEqualTo("failed");
    assertThat(rejection.message()).startsWith("rejected: ").contains("ftp://example.org/a.img");
    assertThat(broker.next(queue + ".dead", WAIT).getBody()).isEqualTo(badItem);
    Await.until("the acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    assertThat(submits()).isZero();
    worker.close();
  }

  @Test
  void workerThatLosesItsConnectionReconnectsAndResumesWithoutBuildingAgain() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker worker = started(worker("dropped", imageBuilder()));
    String id = broker.publishRequest(queue, cloud(trigger));
    broker.reportsUntil(trigger, WAIT, r -> !r.targets().isEmpty());
    String build = fake.onlyBuild().id();

    broker.closeConnectionNamed("imagebuilder-worker dropped");
    // The request went back to the queue; the worker comes back for it and resumes its build.
    fake.awaitCalls(Kind.RESUME, 1, WAIT); // the resume after reconnecting
    fake.finish(build, TargetState.SUCCEEDED);
    List<ProgressReport> reports = broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    ProgressReport end = reports.get(reports.size() - 1);
    assertThat(end.requestId()).isEqualTo(id);
    assertThat(end.status()).isEqualTo(BuildStatus.SUCCEEDED);
    Await.until("the acknowledgement", WAIT, () -> messageCount() == 0 && worker.activeRequests() == 0);
    worker.close();
    assertThat(broker.messageCount(queue)).isZero();
    assertThat(submits()).isEqualTo(1);
  }

  @Test
  void malformedMessagesAreDeadLetteredWithTheirErrorAndNotRetried() throws Exception {
    String replies = broker.triggerQueue();
    QueueWorker worker = started(worker("w1", imageBuilder()));
    byte[] notJson = "{\"image_type\": \"cloud\", ".getBytes(StandardCharsets.UTF_8);
    broker.publish(queue, notJson, new AMQP.BasicProperties.Builder().messageId("bad-json-1")
        .replyTo(replies).build());
    byte[] badItem = ("[{\"image_type\": \"cloud\", \"image\": \"ftp://example.org/a.img\","
        + " \"series\": \"jammy\"}]").getBytes(StandardCharsets.UTF_8);
    broker.publish(queue, badItem, new AMQP.BasicProperties.Builder().messageId("bad-item-1").build());

    String dead = queue + ".dead";
    GetResponse one = broker.next(dead, WAIT);
    GetResponse two = broker.next(dead, WAIT);
    Map<String, GetResponse> byId = Map.of(
        one.getProps().getMessageId(), one, two.getProps().getMessageId(), two);

    GetResponse json = byId.get("bad-json-1");
    assertThat(json.getBody()).isEqualTo(notJson);
    assertThat(header(json, "x-imagebuilder-error")).isNotBlank();
    assertThat(header(json, "x-imagebuilder-original-queue")).isEqualTo(queue);
    assertThat(header(json, "x-imagebuilder-rejected-by")).isEqualTo("w1");

    GetResponse item = byId.get("bad-item-1");
    assertThat(item.getBody()).isEqualTo(badItem);
    assertThat(header(item, "x-imagebuilder-error")).contains("ftp://example.org/a.img");
    assertThat(header(item, "x-imagebuilder-error-field")).isEqualTo("[0].image");

    // The sender of the first asked for replies: it hears of the rejection.
    ProgressReport rejection = ProgressReport.fromJson(broker.next(replies, WAIT).getBody());
    assertThat(rejection.requestId()).isEqualTo("bad-json-1");
    assertThat(rejection.state()).isEqualTo("failed");
    assertThat(rejection.status()).isEqualTo(BuildStatus.ERROR);
    assertThat(rejection.message()).startsWith("rejected: ");

    Await.until("the acknowledgements", WAIT, () -> worker.activeRequests() == 0);
    worker.close();
    assertThat(broker.messageCount(queue)).isZero();
    assertThat(broker.messageCount(dead)).isZero();
    assertThat(submits()).isZero();
  }

  private static String header(GetResponse r, String name) {
    Object v = r.getProps().getHeaders().get(name);
    return v == null ? null : v.toString();
  }

  @Test
  void workersOnOneQueueShareTheLoad() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker a = started(worker("a", imageBuilder()));
    QueueWorker b = started(worker("b", imageBuilder()));
    for (int i = 0; i < 4; i++) {
      broker.publishRequest(queue, cloud(trigger));
    }
    // Prefetch 1 each: two builds run, one on each worker, two requests wait in the queue.
    fake.awaitBuilds(2, WAIT);
    Await.until("a request on each worker", WAIT,
        () -> a.activeRequests() == 1 && b.activeRequests() == 1);

    Set<String> finishedBy = new HashSet<>();
    int ended = 0;
    while (ended < 4) {
      fake.finishAll(TargetState.SUCCEEDED);
      ProgressReport report = ProgressReport.fromJson(broker.next(trigger, WAIT).getBody());
      if (report.isTerminal()) {
        finishedBy.add(report.worker());
        ended++;
      }
    }
    assertThat(finishedBy).containsExactlyInAnyOrder("a", "b");
    assertThat(submits()).isEqualTo(4);
    Await.until("the acknowledgements", WAIT, () -> a.activeRequests() + b.activeRequests() == 0);
    assertThat(broker.messageCount(queue)).isZero();
  }

  @Test
  void messageWithoutRequestIdGetsOneAndIsBuiltOnce() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker worker = started(worker("w1", imageBuilder()));
    broker.publish(queue, cloud(trigger).getBytes(StandardCharsets.UTF_8),
        new AMQP.BasicProperties.Builder().deliveryMode(2).build());
    List<ProgressReport> reports = broker.reportsUntil(trigger, WAIT, r -> !r.targets().isEmpty());
    String id = reports.get(reports.size() - 1).requestId();
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(Files.exists(journal.resolve("journal").resolve(id + ".json"))).isTrue();

    fake.finishAll(TargetState.SUCCEEDED);
    broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    Await.until("the acknowledgement", WAIT, () -> worker.activeRequests() == 0);
    worker.close();
    assertThat(broker.messageCount(queue)).isZero();
    assertThat(submits()).isEqualTo(1);
  }

  @Test
  void requestRedeliveredAfterItsEndWasPublishedIsOnlyAcknowledged() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker first = started(worker("first", imageBuilder()));
    String id = broker.publishRequest(queue, cloud(trigger));
    fake.awaitBuilds(1, WAIT);
    fake.finishAll(TargetState.SUCCEEDED);
    broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    Await.until("the acknowledgement", WAIT, () -> first.activeRequests() == 0);
    first.close();

    // The same message again, as after an acknowledgement lost with its connection.
    broker.publish(queue, cloud(trigger).getBytes(StandardCharsets.UTF_8),
        new AMQP.BasicProperties.Builder().headers(Map.of("x-imagebuilder-request-id", id)).build());
    QueueWorker second = started(worker("second", imageBuilder()));
    // Drained means acknowledged: a message delivered to the worker and not acknowledged yet is
    // not in the queue's message count, and closing the worker then would put it back.
    Await.until("the queue to drain", WAIT, () -> messageCount() == 0 && unacknowledged() == 0
        && second.activeRequests() == 0);
    second.close();
    assertThat(broker.messageCount(queue)).isZero();
    assertThat(submits()).isEqualTo(1);
    assertThat(resumes()).isZero();
  }

  private int submits() {
    return fake.calls(Kind.SUBMIT).size();
  }

  private int resumes() {
    return fake.calls(Kind.RESUME).size();
  }

  private int cancels() {
    return fake.calls(Kind.CANCEL).size();
  }

  /** The build submitted for a request of {@code imageType}. */
  private String buildOf(String imageType) {
    return fake.builds().stream().filter(b -> b.request().imageType().equals(imageType))
        .map(FakeBackend.Build::id).findFirst()
        .orElseThrow(() -> new AssertionError("no " + imageType + " build on the fake backend"));
  }

  private long unacknowledged() {
    try {
      return broker.unacknowledged(queue);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private long messageCount() {
    try {
      return broker.messageCount(queue);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void requestWhoseWorkersKeepDyingIsDeadLetteredAfterMaxDeliveries() throws Exception {
    String trigger = broker.triggerQueue();
    ImageBuilder firstBuilder = imageBuilder();
    QueueWorker first = started(worker("first", firstBuilder).maxDeliveries(1));
    String id = broker.publishRequest(queue, cloud(trigger));
    fake.awaitBuilds(1, WAIT);
    first.abort();
    firstBuilder.close();

    QueueWorker second = started(worker("second", imageBuilder()).maxDeliveries(1));
    GetResponse dead = broker.next(queue + ".dead", WAIT);
    assertThat(header(dead, "x-imagebuilder-request-id")).isEqualTo(id);
    assertThat(header(dead, "x-imagebuilder-error")).contains("taken up 1 times");
    Await.until("the acknowledgement", WAIT, () -> messageCount() == 0 && second.activeRequests() == 0);
    second.close();
    assertThat(broker.messageCount(queue)).isZero();
    assertThat(submits()).isEqualTo(1);
    assertThat(resumes()).isZero();
  }

  @Test
  void requestCancelledWhileWaitingInTheQueueIsNeverBuilt() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker worker = started(worker("w1", imageBuilder()));
    broker.publishRequest(queue, cloud(trigger));
    fake.awaitBuilds(1, WAIT);
    // Prefetch 1: the second request waits in the queue while the first builds.
    String waiting = broker.publishRequest(queue, cloud(trigger));
    broker.publishControl(queue, "{\"type\": \"cancel\", \"request_id\": \"" + waiting + "\"}");
    Await.until("the cancel marker", WAIT,
        () -> Files.exists(journal.resolve("journal").resolve(waiting + ".cancelled")));

    fake.finishAll(TargetState.SUCCEEDED);
    List<ProgressReport> reports = broker.reportsUntil(trigger, WAIT,
        r -> r.requestId().equals(waiting) && r.isTerminal());
    ProgressReport end = reports.get(reports.size() - 1);
    assertThat(end.status()).isEqualTo(BuildStatus.CANCELLED);
    assertThat(end.state()).isEqualTo("failed");
    assertThat(end.message()).contains("cancelled before it started");
    Await.until("the acknowledgements", WAIT, () -> messageCount() == 0 && worker.activeRequests() == 0);
    assertThat(submits()).isEqualTo(1);
  }

  /** Regression: a journal that could not take the cancel marker kept the running build going. */
  @Test
  void cancelMessageStopsARunningBuildEvenWhenTheJournalCannotBeWritten() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker worker = started(worker("w1", imageBuilder()));
    String id = broker.publishRequest(queue, cloud(trigger));
    broker.reportsUntil(trigger, WAIT, r -> !r.targets().isEmpty());
    Path dir = journal.resolve("journal");
    Files.move(dir, journal.resolve("journal.moved"));
    Files.writeString(dir, "not a directory: every journal write fails");

    broker.publishControl(queue, "{\"type\": \"cancel\", \"request_id\": \"" + id + "\"}");

    List<ProgressReport> reports = broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    assertThat(reports.get(reports.size() - 1).status()).isEqualTo(BuildStatus.CANCELLED);
    assertThat(cancels()).isEqualTo(1);
    Await.until("the acknowledgement", WAIT, () -> worker.activeRequests() == 0);
  }

  @Test
  void cancelMessageStopsARunningBuild() throws Exception {
    String trigger = broker.triggerQueue();
    QueueWorker worker = started(worker("w1", imageBuilder()));
    String id = broker.publishRequest(queue, cloud(trigger));
    fake.awaitBuilds(1, WAIT);
    broker.publishControl(queue, "{\"type\": \"cancel\", \"request_id\": \"" + id + "\"}");

    List<ProgressReport> reports = broker.reportsUntil(trigger, WAIT, ProgressReport::isTerminal);
    ProgressReport end = reports.get(reports.size() - 1);
    assertThat(end.status()).isEqualTo(BuildStatus.CANCELLED);
    assertThat(end.targets()).singleElement()
        .satisfies(t -> assertThat(t.state()).isEqualTo(TargetState.CANCELLED));
    assertThat(cancels()).isEqualTo(1);
    assertThat(fake.onlyBuild().state()).isEqualTo(TargetState.CANCELLED);
    Await.until("the acknowledgement", WAIT, () -> messageCount() == 0 && worker.activeRequests() == 0);
  }

  @Test
  void startFailsClearlyWhenTheBrokerIsNotThere() {
    QueueWorker worker = worker("w", imageBuilder()).uri("amqp://guest:secret@127.0.0.1:1/").build();
    closeLast.add(worker);
    assertThatThrownBy(worker::start).isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("could not start").hasMessageNotContaining("secret");
  }

  @Test
  void startFailsWhenTheQueueExistsWithOtherArguments() throws Exception {
    // A queue made earlier without the dead-letter exchange: RabbitMQ refuses to redeclare it.
    broker.declarePlainQueue(queue);
    QueueWorker worker = worker("w", imageBuilder()).build();
    closeLast.add(worker);
    assertThatThrownBy(worker::start).isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("could not start").hasMessageContaining("PRECONDITION_FAILED")
        .hasMessageContaining("x-dead-letter-exchange");
    assertThat(worker.activeRequests()).isZero();
  }

  @Test
  void settingsAreCheckedWhenBuilt() {
    ImageBuilder builder = imageBuilder();
    assertThatThrownBy(() -> QueueWorker.newBuilder().uri(Broker.URI).imageBuilder(builder).build())
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("journalDirectory");
    assertThatThrownBy(() -> worker("w", builder).queue("bad queue!").build())
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("queue")
        .hasMessageContaining("bad queue!");
    assertThatThrownBy(() -> worker("w", builder).uri("http://user:secret@host/").build())
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("uri")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> worker("w", builder).prefetch(0).build())
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("prefetch");
  }
}
