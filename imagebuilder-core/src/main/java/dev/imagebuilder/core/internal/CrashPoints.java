package dev.imagebuilder.core.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named places where a crash test may stop the process dead, as {@code kill -9} would: no
 * shutdown hooks, no buffers flushed. The system property {@code imagebuilder.crash-at} names
 * one place and which time it is reached ({@code checkpoint-after:2}: right after the second
 * ticket was recorded, before the remote call it announces). Unset, as in every normal run, a
 * place costs one map lookup.
 */
public final class CrashPoints {
  /** The exit status of a process stopped at a crash point. */
  public static final int EXIT_STATUS = 137;
  private static final String PROPERTY = "imagebuilder.crash-at";
  private static final Map<String, AtomicInteger> REACHED = new ConcurrentHashMap<>();

  private CrashPoints() {}

  /** Stops the process here if the property names this place and this count. */
  public static void reach(String place) {
    String wanted = System.getProperty(PROPERTY);
    if (wanted == null || !wanted.startsWith(place + ":")) {
      return;
    }
    int count = REACHED.computeIfAbsent(place, p -> new AtomicInteger()).incrementAndGet();
    if (wanted.equals(place + ":" + count)) {
      Runtime.getRuntime().halt(EXIT_STATUS);
    }
  }
}
