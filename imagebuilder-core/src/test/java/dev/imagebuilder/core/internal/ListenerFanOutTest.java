package dev.imagebuilder.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildListener;
import dev.imagebuilder.api.BuildStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ListenerFanOutTest {
  private static final Instant T = Instant.parse("2026-12-04T12:00:00Z");
  private static final BuildEvent.Submitted SUBMITTED = new BuildEvent.Submitted("b-1", T, null, List.of());
  private static final BuildEvent.Completed END =
      new BuildEvent.Completed("b-1", T, BuildStatus.CANCELLED, null, "cancelled");

  private final List<BuildEvent> heard = new CopyOnWriteArrayList<>();

  @Test
  void nothingIsDeliveredBeforeTheBuildIsAnnounced() {
    ListenerFanOut fanOut = new ListenerFanOut("b-1", Runnable::run, List.of(heard::add));

    fanOut.publish(log("early"));
    assertThat(fanOut.isAnnounced()).isFalse();
    fanOut.announce(SUBMITTED);
    fanOut.publish(log("late"));

    assertThat(heard).containsExactly(SUBMITTED, log("late"));
  }

  @Test
  void anEndBeforeTheAnnouncementIsHeardRightAfterIt() {
    ListenerFanOut fanOut = new ListenerFanOut("b-1", Runnable::run, List.of(heard::add));

    assertThat(fanOut.end(END)).isTrue();
    assertThat(heard).isEmpty();
    fanOut.announce(SUBMITTED);

    assertThat(heard).containsExactly(SUBMITTED, END);
  }

  @Test
  void theEndIsDeliveredExactlyOnce() {
    ListenerFanOut fanOut = new ListenerFanOut("b-1", Runnable::run, List.of(heard::add));
    fanOut.announce(SUBMITTED);

    assertThat(fanOut.end(END)).isTrue();
    assertThat(fanOut.end(new BuildEvent.Completed("b-1", T, BuildStatus.ERROR, null, "second"))).isFalse();

    assertThat(heard).containsExactly(SUBMITTED, END);
    assertThat(fanOut.ended()).isTrue();
  }

  @Test
  void aLateSubscriberHearsOfTheEndAlone() {
    ListenerFanOut fanOut = new ListenerFanOut("b-1", Runnable::run, List.of());
    fanOut.announce(SUBMITTED);
    fanOut.end(END);

    fanOut.subscribe(heard::add);

    assertThat(heard).containsExactly(END);
  }

  @Test
  void aLateSubscriberIsToldOfTheEndOnItsOwnThreadWhenTheEventThreadsAreGone() {
    ExecutorService events = Executors.newSingleThreadExecutor();
    ListenerFanOut fanOut = new ListenerFanOut("b-1", events, List.of());
    fanOut.announce(SUBMITTED);
    fanOut.end(END);
    events.shutdownNow();

    List<Thread> threads = new ArrayList<>();
    fanOut.subscribe(e -> threads.add(Thread.currentThread()));

    assertThat(threads).containsExactly(Thread.currentThread());
  }

  @Test
  void aThrowingListenerDoesNotStopTheOthers() {
    BuildListener broken = e -> {
      throw new IllegalStateException("listener bug");
    };
    ListenerFanOut fanOut = new ListenerFanOut("b-1", Runnable::run, List.of(broken, heard::add));

    fanOut.announce(SUBMITTED);
    fanOut.publish(log("one"));

    assertThat(heard).containsExactly(SUBMITTED, log("one"));
  }

  @Test
  void anUnsubscribedListenerHearsNothingMore() {
    ListenerFanOut fanOut = new ListenerFanOut("b-1", Runnable::run, List.of());
    fanOut.announce(SUBMITTED);
    BuildListener.Subscription s = fanOut.subscribe(heard::add);
    fanOut.publish(log("one"));

    s.close();
    fanOut.publish(log("two"));
    fanOut.end(END);

    assertThat(heard).containsExactly(log("one"));
  }

  @Test
  void eventsArriveInPublicationOrderOnAPoolOfThreads() throws Exception {
    ExecutorService events = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch ended = new CountDownLatch(1);
      ListenerFanOut fanOut = new ListenerFanOut("b-1", events, List.of(e -> {
        heard.add(e);
        if (e instanceof BuildEvent.Completed) {
          ended.countDown();
        }
      }));
      fanOut.announce(SUBMITTED);
      IntStream.range(0, 500).forEach(i -> fanOut.publish(log("line " + i)));
      fanOut.end(END);

      assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
      List<BuildEvent> expected = new ArrayList<>();
      expected.add(SUBMITTED);
      IntStream.range(0, 500).forEach(i -> expected.add(log("line " + i)));
      expected.add(END);
      assertThat(heard).containsExactlyElementsOf(expected);
    } finally {
      events.shutdownNow();
    }
  }

  private static BuildEvent log(String line) {
    return new BuildEvent.LogLine("b-1", T, "amd64", line);
  }
}
