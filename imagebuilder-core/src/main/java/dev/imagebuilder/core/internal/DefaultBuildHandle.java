package dev.imagebuilder.core.internal;

import dev.imagebuilder.api.BuildCancelledException;
import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildListener;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.BuildTimeoutException;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.api.TicketJournal;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One build as its caller sees it: identity, result, waiting, retry, cancel, and the write-ahead
 * checkpoint. The pieces it is made of each hold one idea: {@link TargetBook} (the targets and when
 * they end the build), {@link ListenerFanOut} (the listeners and the order they hear of it in),
 * {@link TaskScope} (the work the backend scheduled, stopped by the end of the build in any form)
 * and {@link BackendReports} (the {@link BuildContext} the backend reports through).
 *
 * <p>One lock makes a target change, the end it brings and the events it causes one step; the pieces
 * are called under it in that order (handle, then fan-out), never the other way round.
 */
public final class DefaultBuildHandle implements BuildHandle {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultBuildHandle.class);

  private final String id;
  private final String backendName;
  private final ImageRequest request;
  private final int attempt;
  private final EngineThreads threads;
  private final Clock clock;
  private final BiFunction<DefaultBuildHandle, Set<String>, BuildHandle> retrier;
  private final List<TicketJournal> journals;
  /** Serializes checkpoints, so that journals see the states in the order they were made. */
  private final Object checkpointLock = new Object();
  private final ResultFuture result = new ResultFuture(this);
  private final TaskScope scope = new TaskScope(this::fail);
  private final ListenerFanOut fanOut;
  private final BackendReports reports;

  private final Object lock = new Object();
  private final TargetBook book;
  private CompletableFuture<Void> cancellation;
  private volatile BuildStatus status = BuildStatus.RUNNING;
  private volatile BuildJob job;

  public DefaultBuildHandle(
      String id,
      String backendName,
      ImageRequest request,
      int attempt,
      EngineThreads threads,
      Clock clock,
      List<BuildListener> listeners,
      List<TicketJournal> journals,
      BiFunction<DefaultBuildHandle, Set<String>, BuildHandle> retrier) {
    this.id = id;
    this.backendName = backendName;
    this.request = request;
    this.attempt = attempt;
    this.threads = threads;
    this.clock = clock;
    this.retrier = retrier;
    this.journals = List.copyOf(journals);
    this.book = new TargetBook(id, backendName);
    this.fanOut = new ListenerFanOut(id, threads.events(), listeners);
    this.reports = new BackendReports(id, request, clock, threads, scope, new Reports());
  }

  /** What the backend reports through. */
  public BuildContext context() {
    return reports;
  }

  /**
   * Runs the backend's start (or resume, or retry) and announces the build. Until then, reports
   * only change the snapshot that {@link BuildEvent.Submitted} carries.
   */
  public DefaultBuildHandle begin(Supplier<BuildJob> starter) {
    BuildJob started;
    try {
      started = Objects.requireNonNull(starter.get(), "backend returned no job");
    } catch (RuntimeException e) {
      scope.stop();
      throw e;
    }
    Runnable after;
    boolean cancelledWhileStarting;
    synchronized (lock) {
      job = started;
      // If it ended (failed or was cancelled) while the backend was starting, listeners hear of
      // the end only now, after the submission it ends.
      fanOut.announce(new BuildEvent.Submitted(id, clock.instant(), request, book.snapshot()));
      // Decided under the lock that cancel() takes: exactly one of the two cancels the job.
      cancelledWhileStarting = status == BuildStatus.CANCELLED;
      after = completeIfDone();
    }
    after.run();
    if (cancelledWhileStarting) {
      // Cancelled while the backend was starting: the job it returned must hear of it too.
      cancelRemotely(started);
    }
    return this;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public ImageRequest request() {
    return request;
  }

  @Override
  public String backend() {
    return backendName;
  }

  @Override
  public BuildStatus status() {
    BuildStatus now = status;
    // The end is decided under the lock and the result completed just after it is released (its
    // callbacks must not run under our lock): whoever sees an end here must find the result too.
    return now.isDone() && !result.isDone() ? BuildStatus.RUNNING : now;
  }

  public int attempt() {
    return attempt;
  }

  @Override
  public List<TargetStatus> targets() {
    synchronized (lock) {
      return book.snapshot();
    }
  }

  @Override
  public CompletableFuture<BuildResult> result() {
    return result;
  }

  @Override
  public BuildResult await() {
    return waitFor(result::get, null);
  }

  @Override
  public BuildResult await(Duration timeout) {
    return waitFor(() -> result.get(timeout.toNanos(), TimeUnit.NANOSECONDS), timeout);
  }

  /** A wait on the result future. */
  private interface Wait {
    BuildResult get() throws InterruptedException, ExecutionException, TimeoutException;
  }

  /** Turns the ways a wait can end into the library's exceptions. */
  private BuildResult waitFor(Wait wait, Duration timeout) {
    try {
      return wait.get();
    } catch (TimeoutException e) {
      throw new BuildTimeoutException(id, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImageBuildException("interrupted while waiting for build " + id, e);
    } catch (CancellationException e) {
      throw new BuildCancelledException(id, e.getMessage());
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  private static RuntimeException unwrap(Throwable cause) {
    if (cause instanceof RuntimeException r) {
      return r;
    }
    return new ImageBuildException(String.valueOf(cause.getMessage()), cause);
  }

  @Override
  public BuildHandle retry() {
    BuildStatus now = status;
    if (!now.isDone()) {
      throw new IllegalStateException("build " + id + " is still running; retry it once it has ended");
    }
    if (now == BuildStatus.ERROR) {
      throw new IllegalStateException(
          "tracking of build " + id + " failed; resume it from its ticket instead of retrying");
    }
    Set<String> failed;
    synchronized (lock) {
      failed = book.failedKeys();
    }
    if (failed.isEmpty()) {
      throw new IllegalStateException("build " + id + " has no failed targets to retry"
          + (targets().stream().anyMatch(t -> t.state() == TargetState.UNCONFIRMED)
              ? " (unconfirmed targets are retried only by name, once their link shows nothing was made)" : ""));
    }
    return retrier.apply(this, failed);
  }

  @Override
  public BuildHandle retry(Set<String> targetKeys) {
    Objects.requireNonNull(targetKeys, "targetKeys");
    BuildStatus now = status;
    if (!now.isDone() || now == BuildStatus.ERROR) {
      return retry(); // the same refusals, with the same words
    }
    if (targetKeys.isEmpty()) {
      throw new InvalidRequestException("targets", "is empty: name the targets to build again");
    }
    Map<String, TargetStatus> known;
    synchronized (lock) {
      known = book.byKey();
    }
    for (String key : targetKeys) {
      TargetStatus t = known.get(key);
      if (t == null) {
        throw new InvalidRequestException("targets", "'" + key + "' is not a target of build " + id
            + " (targets: " + String.join(", ", known.keySet()) + ")");
      }
      if (t.state() == TargetState.SUCCEEDED) {
        throw new InvalidRequestException("targets", "'" + key + "' succeeded; only targets that did not can be retried");
      }
    }
    return retrier.apply(this, new LinkedHashSet<>(targetKeys));
  }

  /** The journals every checkpoint of this build goes to; a retry keeps them. */
  public List<TicketJournal> journals() {
    return journals;
  }

  /** The state the backend recorded, for tickets and retries. */
  public Map<String, Object> jobState() {
    BuildJob j = job;
    return j == null ? Map.of() : j.state();
  }

  @Override
  public Ticket ticket() {
    return ticketWith(jobState());
  }

  private Ticket ticketWith(Map<String, Object> state) {
    return TicketCodec.encode(id, backendName, attempt, request,
        targets().stream().map(TargetStatus::key).toList(), state);
  }

  /**
   * Stores the ticket with {@code state} in every journal before returning; a journal that fails
   * fails the build, and the exception tells the backend not to make the call it was about to.
   */
  private void checkpoint(Map<String, Object> state) {
    Objects.requireNonNull(state, "state");
    if (journals.isEmpty()) {
      return; // nobody keeps tickets: encoding one before every remote call would be wasted
    }
    synchronized (checkpointLock) {
      Ticket ticket = ticketWith(state);
      CrashPoints.reach("checkpoint-before");
      for (TicketJournal journal : journals) {
        try {
          journal.record(id, ticket);
        } catch (RuntimeException e) {
          ImageBuildException error = new ImageBuildException("its ticket could not be recorded ("
              + e.getMessage() + "), so nothing more was asked of " + backendName, e);
          fail(error);
          throw error;
        }
      }
      CrashPoints.reach("checkpoint-after");
    }
  }

  @Override
  public CompletableFuture<Void> cancel() {
    return cancel("cancelled");
  }

  /** Cancels with a reason ("cancelled", "deadline of PT1H passed", ...). */
  public CompletableFuture<Void> cancel(String reason) {
    CompletableFuture<Void> done;
    BuildJob j;
    synchronized (lock) {
      if (cancellation != null) {
        return cancellation;
      }
      cancellation = done = new CompletableFuture<>();
      if (status.isDone()) {
        done.complete(null);
        return done;
      }
      status = BuildStatus.CANCELLED;
      scope.close();
      book.cancelling().forEach(this::announce);
      j = job;
    }
    scope.stop();
    result.completeExceptionally(new CancellationException("build " + id + " " + reason));
    if (j == null) {
      // Still starting: begin() cancels the job once the backend returns it.
      finishCancel(reason, null);
      done.complete(null);
    } else {
      runOnWorker(() -> {
        String failure = remoteCancel(j);
        finishCancel(reason, failure);
        if (failure == null) {
          done.complete(null);
        } else {
          done.completeExceptionally(new ImageBuildException(failure));
        }
      });
    }
    return done;
  }

  /** The cancellation asked for, done once the remote cancel was sent; null if none was. */
  public CompletableFuture<Void> cancellation() {
    synchronized (lock) {
      return cancellation;
    }
  }

  private void cancelRemotely(BuildJob j) {
    runOnWorker(() -> remoteCancel(j));
  }

  private String remoteCancel(BuildJob j) {
    try {
      j.cancel();
      return null;
    } catch (RuntimeException e) {
      LOG.warn("build {}: remote cancel failed: {}", id, e.getMessage());
      return "remote cancel failed: " + e.getMessage();
    }
  }

  private void finishCancel(String reason, String failure) {
    synchronized (lock) {
      book.cancelled(failure).forEach(this::announce);
      announceEnd(BuildStatus.CANCELLED, null,
          failure == null ? reason : reason + "; " + failure);
    }
  }

  private void runOnWorker(Runnable task) {
    try {
      threads.workers().execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  /**
   * Ends a build whose work runs in this process, which stops with it (the ImageBuilder is
   * closing): it is not "going on" anywhere, and has to be built again.
   */
  public void stopWithProcess() {
    fail(new ImageBuildException("build " + id + " ran in this process and stopped with it; its work files"
        + " are removed and nothing of it goes on: build it again"));
  }

  /** Stops tracking without cancelling anything remote (the ImageBuilder is closing). */
  public void detach() {
    fail(new ImageBuildException("the ImageBuilder tracking build " + id
        + " was closed; the remote builds go on: resume them from the ticket"));
  }

  @Override
  public BuildListener.Subscription subscribe(BuildListener listener) {
    return fanOut.subscribe(listener);
  }

  // ---- reports from the backend ----

  private void fail(Throwable cause) {
    ImageBuildException error = cause instanceof ImageBuildException e
        ? e
        : new ImageBuildException("tracking build " + id + " failed: " + cause, cause);
    synchronized (lock) {
      if (status.isDone()) {
        return;
      }
      status = BuildStatus.ERROR;
      scope.close();
      announceEnd(BuildStatus.ERROR, null, error.getMessage());
    }
    LOG.warn("build {}: {}", id, error.getMessage());
    scope.stop();
    result.completeExceptionally(error);
  }

  private void update(TargetStatus target) {
    Runnable after;
    synchronized (lock) {
      if (scope.isClosed()) {
        return;
      }
      Optional<TargetBook.Change> change = book.update(target);
      if (change.isEmpty()) {
        return;
      }
      announce(change.get());
      after = completeIfDone();
    }
    after.run();
  }

  private void declare(List<TargetStatus> declaredTargets) {
    ImageBuildException refused = book.refusal(declaredTargets);
    if (refused != null) {
      fail(refused);
      return;
    }
    Runnable after;
    synchronized (lock) {
      if (scope.isClosed()) {
        return;
      }
      book.declare(declaredTargets).forEach(this::announce);
      after = completeIfDone();
    }
    after.run();
  }

  /** Tells listeners of a target's new snapshot, once the build is announced; caller holds the lock. */
  private void announce(TargetBook.Change change) {
    if (fanOut.isAnnounced()) {
      LOG.debug("build {}: {}", id, change.current());
      fanOut.publish(new BuildEvent.TargetStateChanged(id, clock.instant(), change.previous(), change.current()));
    }
  }

  /**
   * Ends the build when every declared target is terminal; returns what must run once the lock
   * is released (completing the future runs callers' callbacks, which must not hold our lock).
   */
  private Runnable completeIfDone() {
    if (!fanOut.isAnnounced() || status.isDone() || !book.isComplete()) {
      return () -> {};
    }
    BuildResult done = book.result(clock.instant());
    status = done.status();
    scope.close();
    announceEnd(status, done, null);
    return () -> {
      scope.stop();
      result.complete(done);
    };
  }

  /**
   * Records the one completion event and hands it to the listeners, who hear of it after
   * {@link BuildEvent.Submitted} even if it came first; caller holds the lock.
   */
  private void announceEnd(BuildStatus endStatus, BuildResult done, String failure) {
    if (fanOut.ended()) {
      return;
    }
    fanOut.end(new BuildEvent.Completed(id, clock.instant(), endStatus, done, failure));
  }

  @Override
  public String toString() {
    return "BuildHandle[" + id + ", " + backendName + ", " + status + "]";
  }

  /** What this build does with the backend's reports. */
  private final class Reports implements BackendReports.Build {
    @Override
    public void declare(List<TargetStatus> targets) {
      DefaultBuildHandle.this.declare(targets);
    }

    @Override
    public void update(TargetStatus target) {
      DefaultBuildHandle.this.update(target);
    }

    @Override
    public void publishIfOpen(Supplier<BuildEvent> event) {
      synchronized (lock) {
        if (fanOut.isAnnounced() && !scope.isClosed()) {
          fanOut.publish(event.get());
        }
      }
    }

    @Override
    public void checkpoint(Map<String, Object> state) {
      DefaultBuildHandle.this.checkpoint(state);
    }

    @Override
    public void fail(Throwable cause) {
      DefaultBuildHandle.this.fail(cause);
    }
  }
}
