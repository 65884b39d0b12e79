package dev.imagebuilder.core.internal;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one build and the order they hear of it in: events are delivered one at a time,
 * in the order they were published, on a shared executor; a listener that throws is logged and
 * skipped; the {@link BuildEvent.Completed} event is delivered exactly once, to every subscriber,
 * including those that subscribe after the end.
 *
 * <p>Nothing is delivered before the build is {@linkplain #announce announced}: an end reached while
 * the backend was still starting is held back and delivered right after {@link BuildEvent.Submitted}.
 */
final class ListenerFanOut {
  // The handle's logger name: callers (the command line) set one level for all of a build's logging.
  private static final Logger LOG = LoggerFactory.getLogger(DefaultBuildHandle.class);

  private final String buildId;
  private final SerialExecutor queue;
  private final List<Subscriber> subscribers = new ArrayList<>();
  private boolean announced;
  private BuildEvent.Completed completed;

  ListenerFanOut(String buildId, Executor events, List<BuildListener> listeners) {
    this.buildId = buildId;
    this.queue = new SerialExecutor(events);
    listeners.forEach(l -> subscribers.add(new Subscriber(l)));
  }

  /** Announces the build, and its end if that came first; events published before are dropped. */
  synchronized void announce(BuildEvent.Submitted submitted) {
    announced = true;
    deliver(submitted);
    if (completed != null) {
      deliver(completed);
    }
  }

  synchronized boolean isAnnounced() {
    return announced;
  }

  /** Queues {@code event} for the current subscribers, once the build is announced. */
  synchronized void publish(BuildEvent event) {
    if (announced) {
      deliver(event);
    }
  }

  /** Records the one end of the build and delivers it (once announced); later ends are ignored. */
  synchronized boolean end(BuildEvent.Completed end) {
    if (completed != null) {
      return false;
    }
    completed = Objects.requireNonNull(end, "end");
    if (announced) {
      deliver(end);
    }
    return true;
  }

  synchronized boolean ended() {
    return completed != null;
  }

  /** Adds a listener; one that comes after the end hears of the end alone. */
  BuildListener.Subscription subscribe(BuildListener listener) {
    Objects.requireNonNull(listener, "listener");
    Subscriber s = new Subscriber(listener);
    Runnable late = () -> {};
    synchronized (this) {
      if (completed != null) {
        BuildEvent.Completed end = completed;
        try {
          queue.execute(() -> s.deliver(end));
        } catch (RejectedExecutionException e) {
          // The ImageBuilder is closed and its event threads are gone: the caller's thread
          // delivers the end it was promised.
          late = () -> s.deliver(end);
        }
      } else {
        subscribers.add(s);
      }
    }
    late.run();
    return () -> {
      s.active = false;
      synchronized (this) {
        subscribers.remove(s);
      }
    };
  }

  /** Queues an event for the current subscribers; caller holds this monitor. */
  private void deliver(BuildEvent event) {
    List<Subscriber> audience = List.copyOf(subscribers);
    if (audience.isEmpty()) {
      return;
    }
    try {
      queue.execute(() -> audience.forEach(s -> s.deliver(event)));
    } catch (RejectedExecutionException e) {
      LOG.debug("build {}: event dropped after shutdown: {}", buildId, event);
    }
  }

  /** A listener and whether it still wants events. */
  private final class Subscriber {
    private final BuildListener listener;
    private volatile boolean active = true;

    Subscriber(BuildListener listener) {
      this.listener = listener;
    }

    void deliver(BuildEvent event) {
      if (!active) {
        return;
      }
      try {
        listener.onEvent(event);
      } catch (Throwable t) {
        // A listener's failure is its own: tracking and the other listeners go on.
        LOG.warn("build {}: listener {} threw on {}: {}",
            buildId, listener, event.getClass().getSimpleName(), t.toString());
      }
    }
  }
}
