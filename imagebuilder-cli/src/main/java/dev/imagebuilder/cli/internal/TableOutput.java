package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * For terminals: a table of every target (image, series, arch, state, build state, upload state,
 * link) with a progress line under it, redrawn in place with ANSI cursor movement a few times a
 * second while anything changes; then the summary.
 */
final class TableOutput implements RunOutput {
  private static final String[] HEADERS = {"IMAGE", "SERIES", "ARCH", "STATE", "BUILD", "UPLOAD", "LINK"};
  private static final long REDRAW_MILLIS = 250;

  private final PrintStream out;
  private final boolean color;
  private final int width;
  private final int height;
  private final List<BuildHandle> handles = new ArrayList<>();
  private final Map<String, String> retryNotes = new HashMap<>();
  private final Instant started = Instant.now();
  private ScheduledExecutorService ticker;
  private int drawnLines;
  private boolean dirty = true;

  TableOutput(PrintStream out, boolean color, TerminalSize size) {
    this.out = out;
    this.color = color;
    this.width = size.columns();
    this.height = size.lines();
  }

  @Override
  public synchronized void begin(List<BuildHandle> begun) {
    handles.addAll(begun);
    dirty = true;
    redraw();
    if (ticker == null) {
      ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "image-builder-table");
        t.setDaemon(true);
        return t;
      });
      // The elapsed time moves even when nothing else does.
      ticker.scheduleWithFixedDelay(() -> {
        synchronized (this) {
          dirty = true;
          redraw();
        }
      }, REDRAW_MILLIS, REDRAW_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public synchronized void event(BuildEvent event) {
    if (event instanceof BuildEvent.RetryScheduled r) {
      retryNotes.put(r.buildId() + " " + r.targetKey(), r.action() + " retry " + r.attempt() + "/"
          + r.maxAttempts() + " in " + Durations.human(r.delay()));
    } else if (event instanceof BuildEvent.TargetStateChanged c) {
      TargetStatus p = c.previous();
      if (p == null || p.state() != c.current().state()) {
        retryNotes.remove(c.buildId() + " " + c.current().key());
      }
    }
    dirty = true;
  }

  @Override
  public synchronized void notice(String line) {
    clear();
    out.println(line);
    dirty = true;
    redraw();
  }

  @Override
  public synchronized void end(Outcome outcome) {
    stopTicker();
    dirty = true;
    redraw(Integer.MAX_VALUE); // the whole table, once: nothing is drawn over it any more
    drawnLines = 0;
    out.println();
    for (String line : Summary.lines(outcome)) {
      out.println(line);
    }
    out.flush();
  }

  @Override
  public synchronized void plans(List<Plan> plans) {
    Summary.planLines(plans).forEach(out::println);
    out.flush();
  }

  private void stopTicker() {
    if (ticker != null) {
      ticker.shutdownNow();
      ticker = null;
    }
  }

  private void clear() {
    if (drawnLines > 0) {
      out.print("\r\033[" + drawnLines + "A\033[J");
      drawnLines = 0;
    }
  }

  private void redraw() {
    // The frame must fit the screen, the cursor's line below it included, to be drawn over.
    redraw(height - 1);
  }

  private void redraw(int maxLines) {
    if (!dirty) {
      return;
    }
    dirty = false;
    List<String[]> rows = new ArrayList<>();
    List<TargetStatus> all = new ArrayList<>();
    for (BuildHandle h : handles) {
      for (TargetStatus t : h.targets()) {
        all.add(t);
        TargetView v = TargetView.of(t);
        String upload = v.uploadState();
        String note = retryNotes.get(h.id() + " " + t.key());
        if (note != null) {
          upload = upload.isEmpty() ? note : upload + " (" + note + ")";
        }
        rows.add(new String[] {v.image(), v.series(), v.arch(), t.state().name(), v.buildState(), upload, v.link()});
      }
    }
    int[] widths = new int[HEADERS.length];
    for (int i = 0; i < HEADERS.length; i++) {
      widths[i] = HEADERS[i].length();
    }
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(bold(format(HEADERS, widths, null)));
    List<Integer> shown = shown(all, maxLines - 2);
    for (int i : shown) {
      lines.add(format(rows.get(i), widths, all.get(i).state()));
    }
    if (shown.size() < rows.size()) {
      List<TargetStatus> hidden = new ArrayList<>(all);
      for (int i = shown.size() - 1; i >= 0; i--) {
        hidden.remove((int) shown.get(i));
      }
      lines.add("... and " + Summary.counts(hidden).replaceFirst("targets?", "more"));
    }
    if (rows.isEmpty()) {
      lines.add("(waiting for the targets to be known)");
    }
    if (width > 0) {
      lines.set(0, bold(clip(format(HEADERS, widths, null))));
    }
    String progress = Summary.counts(all) + "  [" + Durations.human(Duration.between(started, Instant.now()).withNanos(0)) + "]";
    lines.add(width > 0 && progress.length() > width - 1 ? progress.substring(0, width - 1) : progress);
    StringBuilder frame = new StringBuilder();
    if (drawnLines > 0) {
      frame.append("\r\033[").append(drawnLines).append("A\033[J");
    }
    for (String line : lines) {
      frame.append(line).append('\n');
    }
    out.print(frame);
    out.flush();
    drawnLines = lines.size();
  }

  /**
   * Which rows fit in {@code room} lines, in table order: all when they fit; else those still
   * running or failed first, then succeeded ones, keeping one line to say what is not shown.
   */
  private static List<Integer> shown(List<TargetStatus> all, int room) {
    List<Integer> chosen = new ArrayList<>();
    if (all.size() <= room) {
      for (int i = 0; i < all.size(); i++) {
        chosen.add(i);
      }
      return chosen;
    }
    int budget = Math.max(0, room - 1);
    for (int i = 0; i < all.size() && chosen.size() < budget; i++) {
      if (all.get(i).state() != TargetState.SUCCEEDED) {
        chosen.add(i);
      }
    }
    for (int i = 0; i < all.size() && chosen.size() < budget; i++) {
      if (all.get(i).state() == TargetState.SUCCEEDED) {
        chosen.add(i);
      }
    }
    chosen.sort(null);
    return chosen;
  }

  private String format(String[] cells, int[] widths, TargetState state) {
    StringBuilder sb = new StringBuilder();
    int visible = 0;
    for (int i = 0; i < cells.length; i++) {
      String cell = cells[i];
      String padding = i == cells.length - 1 ? "" : " ".repeat(widths[i] - cell.length() + 2);
      if (width > 0 && visible + cell.length() + padding.length() > width - 1) {
        // A line must never wrap, or redrawing in place would miscount the lines to go back.
        int room = Math.max(0, width - 1 - visible);
        if (i == cells.length - 1 && room > 8 && cell.length() > room) {
          cell = "..." + cell.substring(cell.length() - (room - 3)); // a link's end names the build
        } else {
          cell = cell.substring(0, Math.min(cell.length(), room));
        }
        padding = padding.substring(0, Math.max(0, Math.min(padding.length(), room - cell.length())));
      }
      visible += cell.length() + padding.length();
      sb.append(i == 3 && state != null ? paint(cell, state) : cell).append(padding);
    }
    return sb.toString();
  }

  private String clip(String plain) {
    return plain.length() > width - 1 ? plain.substring(0, width - 1) : plain;
  }

  private String bold(String s) {
    return color ? "\033[1m" + s + "\033[0m" : s;
  }

  private String paint(String s, TargetState state) {
    if (!color) {
      return s;
    }
    String code = switch (state) {
      case SUCCEEDED -> "32";
      case FAILED_TO_BUILD, FAILED_TO_PUBLISH -> "31";
      case BUILDING, PUBLISHING -> "33";
      case CANCELLING, CANCELLED, SUPERSEDED -> "35";
      default -> "2";
    };
    return "\033[" + code + "m" + s + "\033[0m";
  }
}
