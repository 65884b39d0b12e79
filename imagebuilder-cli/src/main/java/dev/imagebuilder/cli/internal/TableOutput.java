package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Size;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * For terminals: a table of every target (image, series, arch, state, elapsed time, progress bar,
 * build and upload states, link) with a count line under it, redrawn in place a few times a
 * second. The frame never scrolls the screen: it is at most one line shorter than the terminal
 * and each line one column narrower, and a redraw moves the cursor back up over the rows the last
 * frame took (at the current width, as the terminal reflows on a resize) and overwrites them, each
 * line cleared to its end, and only then clears what is left below. It never clears the screen, nor
 * from its top-left corner: tmux copies a screen cleared from there into the scrollback, which is
 * how an earlier table left a copy of every frame in it. Notices and, with --verbose, log
 * lines are printed above the frame. At the end the last frame is overwritten by the whole table
 * (every row, whole links), then the summary: one frame in the scrollback.
 */
final class TableOutput implements RunOutput {
  private static final long REDRAW_MILLIS = 250;

  private final LiveTerminal term;
  private final boolean verbose;
  private final BuildLogs logs;
  private final Clock clock = Clock.systemUTC();
  private final TargetClock targets = new TargetClock(clock);
  private final List<BuildHandle> handles = new ArrayList<>();
  private final Map<String, String> retryNotes = new HashMap<>();
  private final List<String> above = new ArrayList<>();
  private final Instant started = clock.instant();
  private ScheduledExecutorService ticker;
  /** The display widths of the frame's lines now on the screen, to go back over them. */
  private List<Integer> drawn = List.of();
  private boolean ended;

  TableOutput(LiveTerminal term, boolean verbose, BuildLogs logs) {
    this.term = term;
    this.verbose = verbose;
    this.logs = logs;
    term.onResize(this::redraw);
  }

  @Override
  public synchronized void begin(List<BuildHandle> begun) {
    handles.addAll(begun);
    redraw();
    if (ticker == null) {
      ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "image-builder-table");
        t.setDaemon(true);
        return t;
      });
      // The elapsed times move even when nothing else does.
      ticker.scheduleWithFixedDelay(this::redraw, REDRAW_MILLIS, REDRAW_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public synchronized void event(BuildEvent event) {
    targets.event(event);
    if (event instanceof BuildEvent.RetryScheduled r) {
      retryNotes.put(r.buildId() + " " + r.targetKey(), r.action() + " retry " + r.attempt() + "/"
          + r.maxAttempts() + " in " + Durations.human(r.delay()));
    } else if (event instanceof BuildEvent.TargetStateChanged c) {
      TargetStatus p = c.previous();
      if (p == null || p.state() != c.current().state()) {
        retryNotes.remove(c.buildId() + " " + c.current().key());
      }
    } else if (event instanceof BuildEvent.LogLine l && verbose) {
      above.add(Text.clean(l.targetKey() + ": " + l.line()));
    }
  }

  @Override
  public synchronized void notice(String line) {
    above.add(Text.clean(line));
    if (handles.isEmpty() || ended) {
      flushAbove();
      term.flush();
    } else {
      redraw();
    }
  }

  @Override
  public synchronized void end(Outcome outcome) {
    stopTicker();
    ended = true;
    for (BuildHandle h : handles) {
      h.targets().forEach(t -> targets.see(h.id(), t));
    }
    List<String> summary = new ArrayList<>(Summary.lines(outcome, logs.tails(outcome), false));
    summary.addAll(logs.download(outcome));
    // Drawn over the last frame, as a frame is.
    backToTop();
    flushAbove();
    if (!outcome.allTargets().isEmpty()) {
      // The one frame that stays: every row, whole links (they may wrap: nothing is drawn over them).
      for (Line line : frame(outcome, Integer.MAX_VALUE, Integer.MAX_VALUE)) {
        printLine(line.ansi());
      }
      printLine("");
    }
    summary.forEach(line -> printLine(Text.clean(line)));
    term.clearToEndOfScreen();
    term.close();
  }

  @Override
  public synchronized void plans(List<Plan> plans) {
    flushAbove();
    Summary.planLines(plans).forEach(l -> term.print(Text.clean(l) + "\n"));
    term.close();
  }

  private void stopTicker() {
    if (ticker != null) {
      ticker.shutdownNow();
      ticker = null;
    }
  }

  /** Draws the frame over the last one. Also runs on the ticker and on resizes. */
  synchronized void redraw() {
    if (ended || handles.isEmpty()) {
      return;
    }
    Size size = term.size();
    for (BuildHandle h : handles) {
      h.targets().forEach(t -> targets.see(h.id(), t));
    }
    List<Line> lines = frame(null, size.getColumns() - 1, size.getRows() - 1);
    backToTop();
    flushAbove();
    List<Integer> widths = new ArrayList<>();
    for (Line line : lines) {
      printLine(line.ansi());
      widths.add(line.width());
    }
    // Below the frame now: what is left of a taller last frame goes (never from the top-left).
    term.clearToEndOfScreen();
    term.flush();
    drawn = widths;
  }

  /** A line over whatever was on the screen there, and the cursor to the start of the next. */
  private void printLine(String ansi) {
    term.print(ansi);
    term.clearToEndOfLine();
    term.print("\r\n");
  }

  /** Moves the cursor back to the start of the frame's first line. */
  private void backToTop() {
    if (drawn.isEmpty()) {
      return;
    }
    int columns = term.size().getColumns();
    int rows = 0;
    for (int w : drawn) {
      // A resize reflows the lines drawn at the old width: a line wider than the screen now
      // takes several rows.
      rows += Math.max(1, (w + columns - 1) / columns);
    }
    term.up(rows);
    drawn = List.of();
  }

  private void flushAbove() {
    above.forEach(this::printLine);
    above.clear();
  }

  /**
   * The frame's lines, with ANSI styles: header, the rows that fit {@code height} (running and
   * failed ones first), a line for those left out, the counts. Each line at most {@code width}
   * columns. {@code outcome}: the end, from its targets.
   */
  private List<Line> frame(Outcome outcome, int width, int height) {
    List<String> keys = new ArrayList<>();
    List<TargetStatus> all = new ArrayList<>();
    if (outcome != null) {
      for (Outcome.BuildOutcome b : outcome.builds()) {
        for (TargetStatus t : b.targets()) {
          keys.add(b.buildId());
          all.add(t);
        }
      }
    } else {
      for (BuildHandle h : handles) {
        for (TargetStatus t : h.targets()) {
          keys.add(h.id());
          all.add(t);
        }
      }
    }
    boolean anyProgress = false;
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      TargetStatus t = all.get(i);
      String buildId = keys.get(i);
      TargetView v = TargetView.of(t);
      String upload = v.uploadState();
      String note = retryNotes.get(buildId + " " + t.key());
      if (note != null && outcome == null) {
        upload = upload.isEmpty() ? note : upload + " (" + note + ")";
      }
      TargetClock.Progress p = targets.progress(buildId, t);
      anyProgress |= p != null;
      rows.add(new Row(t, new String[] {
          Text.clean(v.image()), Text.clean(v.series()), Text.clean(v.arch()), t.state().name(),
          Durations.human(targets.elapsed(buildId, t)),
          p == null ? "" : TargetClock.bar(p.fraction()),
          Text.brief(v.buildState()), Text.brief(upload), Text.clean(v.link())}));
    }
    String[] headers = {"IMAGE", "SERIES", "ARCH", "STATE", "TIME", "PROGRESS", "BUILD", "UPLOAD", "LINK"};
    boolean[] shownColumn = new boolean[headers.length];
    java.util.Arrays.fill(shownColumn, true);
    shownColumn[5] = anyProgress;
    shownColumn[7] = rows.stream().anyMatch(r -> !r.cells[7].isEmpty());
    shownColumn[8] = rows.stream().anyMatch(r -> !r.cells[8].isEmpty());
    int[] widths = new int[headers.length];
    for (int i = 0; i < headers.length; i++) {
      widths[i] = headers[i].length();
      for (Row r : rows) {
        widths[i] = Math.max(widths[i], r.cells[i].length());
      }
    }
    List<Line> lines = new ArrayList<>();
    lines.add(line(new Row(null, headers), shownColumn, widths, width, true));
    List<Integer> shown = shown(all, height - 2);
    for (int i : shown) {
      lines.add(line(rows.get(i), shownColumn, widths, width, false));
    }
    if (shown.size() < rows.size()) {
      List<TargetStatus> hidden = new ArrayList<>(all);
      for (int i = shown.size() - 1; i >= 0; i--) {
        hidden.remove((int) shown.get(i));
      }
      lines.add(clip("... and " + Summary.counts(hidden).replaceFirst("targets?", "more"), width));
    }
    if (rows.isEmpty()) {
      lines.add(clip("(waiting for the targets to be known)", width));
    }
    if (outcome == null) {
      lines.add(clip(Summary.counts(all) + "  ["
          + Durations.human(Duration.between(started, clock.instant()).withNanos(0)) + "]", width));
    }
    return lines;
  }

  private record Row(TargetStatus target, String[] cells) {}

  /** A line of the frame: what is printed, and how many columns it shows. */
  private record Line(String ansi, int width) {}

  /** One row: the cells padded to their columns, cut to {@code width}; a cut link keeps its end. */
  private Line line(Row row, boolean[] shownColumn, int[] widths, int width, boolean header) {
    AttributedStringBuilder sb = new AttributedStringBuilder();
    int visible = 0;
    int last = -1;
    for (int i = 0; i < shownColumn.length; i++) {
      if (shownColumn[i]) {
        last = i;
      }
    }
    String link = null;
    String linkText = null;
    for (int i = 0; i < row.cells.length; i++) {
      if (!shownColumn[i]) {
        continue;
      }
      String cell = row.cells[i];
      String padding = i == last ? "" : " ".repeat(widths[i] - cell.length() + 2);
      if (visible + cell.length() + padding.length() > width) {
        int room = Math.max(0, width - visible);
        if (i == 8 && cell.length() > room) {
          // A link's end names the build ("...ild/1024"); too little room for that: no link text.
          cell = room >= 6 ? "..." + cell.substring(cell.length() - (room - 3)) : "";
        } else {
          cell = cell.substring(0, Math.min(cell.length(), room));
        }
        padding = padding.substring(0, Math.max(0, Math.min(padding.length(), room - cell.length())));
      }
      visible += cell.length() + padding.length();
      if (i == 8 && !header && term.hyperlinks() && row.target.webLink() != null && !cell.isEmpty()) {
        link = row.target.webLink().toString();
        linkText = cell;
        continue; // the link goes last, outside the styled text
      }
      AttributedStyle style = header ? AttributedStyle.BOLD
          : i == 3 ? style(row.target.state()) : AttributedStyle.DEFAULT;
      sb.styled(term.color() ? style : AttributedStyle.DEFAULT, cell).append(padding);
    }
    String text = term.color() ? sb.toAnsi(term.terminal()) : sb.toString();
    if (link != null) {
      // OSC 8: the (maybe cut) text opens the whole URL. The URL is printable ASCII: clean()ed.
      text += "\033]8;;" + Text.clean(link) + "\033\\" + linkText + "\033]8;;\033\\";
    }
    return new Line(text, visible);
  }

  private static Line clip(String plain, int width) {
    String cut = plain.length() > width ? plain.substring(0, width) : plain;
    return new Line(cut, cut.length());
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

  private static AttributedStyle style(TargetState state) {
    return switch (state) {
      case SUCCEEDED -> AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
      case FAILED_TO_BUILD, FAILED_TO_PUBLISH -> AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);
      case BUILDING, PUBLISHING -> AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
      case CANCELLING, CANCELLED, SUPERSEDED -> AttributedStyle.DEFAULT.foreground(AttributedStyle.MAGENTA);
      default -> AttributedStyle.DEFAULT.faint();
    };
  }
}
