package dev.imagebuilder.api;

import java.util.function.Consumer;

/**
 * Receives a build's events. Listeners of one handle are called in order, one event at a time,
 * off the polling thread; an exception from a listener is logged and never breaks tracking;
 * {@link BuildEvent.Completed} is delivered exactly once.
 */
@FunctionalInterface
public interface BuildListener {
  void onEvent(BuildEvent event);

  /** A listener for one kind of event only. */
  static <E extends BuildEvent> BuildListener on(Class<E> type, Consumer<? super E> action) {
    return event -> {
      if (type.isInstance(event)) {
        action.accept(type.cast(event));
      }
    };
  }

  /** Returned by {@link BuildHandle#subscribe}; closing it stops delivery to the listener. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
