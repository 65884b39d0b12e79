package dev.imagebuilder.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.Series;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admission rules, decided without a broker. */
class DeliveryAdmissionTest {
  private static final byte[] BODY = "{\"kind\":\"oci\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path journalDir;

  private final List<ImageRequest> parsed = List.of(new OciImageRequest(
      List.of("redis"), List.of(Series.of("jammy")), List.of(Architecture.AMD64), 0, null));

  @Test
  void aMessageWithoutAnIdGetsOne() {
    assertThat(admission(body -> parsed).decide(null, null, BODY)).isEqualTo(new DeliveryAdmission.AssignId());
  }

  @Test
  void aNewRequestIsAdmittedWithItsBodyRecorded() {
    DeliveryAdmission.Decision d = admission(body -> parsed).decide("r-1", fresh("r-1"), BODY);

    assertThat(d).isInstanceOfSatisfying(DeliveryAdmission.Admit.class, a -> {
      assertThat(a.requests()).isEqualTo(parsed);
      assertThat(a.entry().deliveries()).isEqualTo(1);
      assertThat(a.entry().bodySha256()).isEqualTo(DeliveryAdmission.sha256(BODY));
    });
  }

  @Test
  void anIdUsedByAnotherBodyIsRejectedWithoutTouchingItsEntry() {
    RequestJournal.Entry first = fresh("r-1").delivered().withBody(DeliveryAdmission.sha256("other".getBytes()));

    DeliveryAdmission.Decision d = admission(body -> parsed).decide("r-1", first, BODY);

    assertThat(d).isInstanceOfSatisfying(DeliveryAdmission.Reject.class, r -> {
      assertThat(r.field()).isEqualTo("message_id");
      assertThat(r.error()).contains("'r-1' was already used by another request");
      assertThat(r.finished()).as("the entry is the other request's").isNull();
    });
  }

  @Test
  void theSameFinishedRequestAgainIsOnlyAcknowledged() {
    RequestJournal.Entry done = fresh("r-1").delivered().withBody(DeliveryAdmission.sha256(BODY))
        .finishedAt(Instant.parse("2026-12-04T12:00:00Z"));

    assertThat(admission(body -> parsed).decide("r-1", done, BODY))
        .isEqualTo(new DeliveryAdmission.AlreadyFinished("r-1"));
  }

  @Test
  void aRequestTakenUpTooOftenIsRejectedAndFinished() {
    RequestJournal.Entry twice = fresh("r-1").delivered().delivered();

    DeliveryAdmission.Decision d = admission(body -> parsed).decide("r-1", twice, BODY);

    assertThat(d).isInstanceOfSatisfying(DeliveryAdmission.Reject.class, r -> {
      assertThat(r.error()).isEqualTo("taken up 2 times without finishing (more than 2)");
      assertThat(r.finished()).isNotNull();
      assertThat(r.finished().deliveries()).isEqualTo(3);
    });
  }

  @Test
  void aBodyThatIsNoRequestIsRejectedNamingTheField() {
    Function<String, List<ImageRequest>> refusing = body -> {
      throw new InvalidRequestException("series", "'99.99' is not an Ubuntu series");
    };
    DeliveryAdmission.Decision bad = admission(refusing).decide("r-1", fresh("r-1"), BODY);
    DeliveryAdmission.Decision empty = admission(body -> List.of()).decide("r-2", fresh("r-2"), BODY);
    DeliveryAdmission.Decision notUtf8 =
        admission(body -> parsed).decide("r-3", fresh("r-3"), new byte[] {(byte) 0xC3, (byte) 0x28});

    assertThat(bad).isInstanceOfSatisfying(DeliveryAdmission.Reject.class, r -> {
      assertThat(r.field()).isEqualTo("series");
      assertThat(r.finished()).isNotNull();
    });
    assertThat(empty).isInstanceOfSatisfying(DeliveryAdmission.Reject.class,
        r -> assertThat(r.field()).isEqualTo("request"));
    assertThat(notUtf8).isInstanceOfSatisfying(DeliveryAdmission.Reject.class,
        r -> assertThat(r.field()).isEqualTo("body"));
  }

  private DeliveryAdmission admission(Function<String, List<ImageRequest>> parser) {
    WorkerSettings settings = new WorkerSettings(URI.create("amqp://127.0.0.1:5672"), new Topology("q"), 1,
        journalDir, Duration.ofSeconds(1), Duration.ofSeconds(1), 2, "w-1", Duration.ofDays(1));
    return new DeliveryAdmission(settings, new RequestJournal(journalDir), () -> null, parser);
  }

  private static RequestJournal.Entry fresh(String id) {
    return new RequestJournal.Entry(id, 0, List.of(), null, null);
  }
}
