package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.TargetStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What the live view knows of each target beyond its status: how long it has been going (from
 * when this run first saw it until it ended) and its last progress report (downloads, mirroring,
 * uploads). Keyed by build id and target key. Not thread-safe: the table holds its lock.
 */
final class TargetClock {
  /** A target's last progress: fraction from 0 to 1 (negative: unknown) and what is done. */
  record Progress(double fraction, String message) {}

  private final Clock clock;
  private final Map<String, Instant> firstSeen = new HashMap<>();
  private final Map<String, Instant> ended = new HashMap<>();
  private final Map<String, Progress> progress = new HashMap<>();

  TargetClock(Clock clock) {
    this.clock = clock;
  }

  /** Notes a target as seen now; its clock stops when it is first seen terminal. */
  void see(String buildId, TargetStatus t) {
    String key = buildId + " " + t.key();
    Instant now = clock.instant();
    firstSeen.putIfAbsent(key, now);
    if (t.state().isTerminal()) {
      ended.putIfAbsent(key, now);
      progress.remove(key);
    } else {
      ended.remove(key); // retried: going again
    }
  }

  void event(BuildEvent event) {
    if (event instanceof BuildEvent.Progress p) {
      progress.put(p.buildId() + " " + p.targetKey(), new Progress(p.fraction(), p.message()));
    } else if (event instanceof BuildEvent.TargetStateChanged c) {
      see(c.buildId(), c.current());
    }
  }

  Duration elapsed(String buildId, TargetStatus t) {
    String key = buildId + " " + t.key();
    Instant start = firstSeen.get(key);
    if (start == null) {
      return Duration.ZERO;
    }
    Instant end = ended.getOrDefault(key, clock.instant());
    return Duration.between(start, end).withNanos(0);
  }

  /** The last progress of a target still going, or null. */
  Progress progress(String buildId, TargetStatus t) {
    return t.state().isTerminal() ? null : progress.get(buildId + " " + t.key());
  }

  /** {@code [#####-----]  50%}, ten cells wide; {@code [ ? ]} style when the total is unknown. */
  static String bar(double fraction) {
    if (fraction < 0 || Double.isNaN(fraction)) {
      return "[    ?     ]     ";
    }
    double f = Math.min(1, fraction);
    int filled = (int) Math.round(f * 10);
    return "[" + "#".repeat(filled) + "-".repeat(10 - filled) + "] " + String.format("%3d%%", (int) Math.floor(f * 100));
  }
}
