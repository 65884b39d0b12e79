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

  static void kill(ProcessHandle root, Duration grace, ScheduledExecutorService scheduler) {
    // Taken before anything dies: once a parent is gone its children belong to init and are no
    // longer reachable as its descendants.
    List<ProcessHandle> tree = new ArrayList<>();
    root.descendants().forEach(tree::add);
    tree.add(root);
    log.debug("terminating process {} and {} descendants", root.pid(), tree.size() - 1);
    for (ProcessHandle p : tree) {
      p.destroy();
    }
    Runnable finish = () -> {
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
    };
    try {
      scheduler.schedule(finish, grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      finish.run();
    }
  }
}
