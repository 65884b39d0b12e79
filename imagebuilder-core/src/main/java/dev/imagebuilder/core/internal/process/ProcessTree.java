package dev.imagebuilder.core.internal.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ends a process and everything it started: TERM first, KILL for what is left after a grace. */
final class ProcessTree {
  private static final Logger log = LoggerFactory.getLogger(ProcessTree.class);

  private ProcessTree() {}

  /** TERM now, KILL after the grace on the scheduler (at once if it no longer takes tasks). */
  static void kill(ProcessHandle root, Duration grace, ScheduledExecutorService scheduler) {
    List<ProcessHandle> tree = snapshot(root);
    terminate(tree);
    try {
      scheduler.schedule(() -> killSurvivors(tree), grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      killSurvivors(tree);
    }
  }

  /**
   * TERM now, then waits up to the grace for the trees to end and KILLs what is left; for
   * shutdown, when a scheduler cannot be relied on to run the escalation later.
   */
  static void killAndWait(List<List<ProcessHandle>> trees, Duration grace) {
    trees.forEach(ProcessTree::terminate);
    long deadline = System.nanoTime() + grace.toNanos();
    for (List<ProcessHandle> tree : trees) {
      for (ProcessHandle p : tree) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          p.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
          break;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    trees.forEach(ProcessTree::killSurvivors);
  }

  /**
   * The process and its descendants, descendants first. Taken before anything is signalled: once
   * a parent is gone its children belong to init and are no longer reachable as its descendants.
   */
  static List<ProcessHandle> snapshot(ProcessHandle root) {
    List<ProcessHandle> tree = new ArrayList<>();
    root.descendants().forEach(tree::add);
    tree.add(root);
    return tree;
  }

  private static void terminate(List<ProcessHandle> tree) {
    log.debug("terminating process {} and {} descendants", tree.get(tree.size() - 1).pid(),
        tree.size() - 1);
    for (ProcessHandle p : tree) {
      p.destroy();
    }
  }

  private static void killSurvivors(List<ProcessHandle> tree) {
    List<ProcessHandle> left = new ArrayList<>(tree);
    // Children started during the grace period, while their parents were still alive.
    for (ProcessHandle p : tree) {
      if (p.isAlive()) {
        p.descendants().forEach(left::add);
      }
    }
    for (ProcessHandle p : left) {
      if (p.isAlive()) {
        log.debug("killing process {} which outlived TERM", p.pid());
        p.destroyForcibly();
      }
    }
  }
}
