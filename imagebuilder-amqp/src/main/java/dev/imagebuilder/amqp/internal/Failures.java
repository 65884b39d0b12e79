package dev.imagebuilder.amqp.internal;

/** Describes failures for people. */
public final class Failures {
  private Failures() {}

  /**
   * The first message along the cause chain: the AMQP client often throws an {@code IOException}
   * without one, whose cause (the broker's channel or connection close) says what went wrong.
   */
  public static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && !message.isBlank()) {
        return message;
      }
    }
    return e.getClass().getSimpleName();
  }
}
