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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One build: its targets, its events, its end. The backend reports through the
 * {@link BuildContext} this handle implements; everything it schedules is tracked so that the end
 * of the build, in any form, stops it.
 */
public final class DefaultBuildHandle implements BuildHandle {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultBuildHandle.class);
  /** The build whose task the current thread is running, if any. */
  private static final ThreadLocal<DefaultBuildHandle> RUNNING_TASK_OF = new ThreadLocal<>();

  private final String id;
  private final String backendName;
  private final ImageRequest request;
  private final int attempt;
  private final EngineThreads threads;
  private final Clock clock;
  private final SerialExecutor eventQueue;
  private final BiFunction<DefaultBuildHandle, Set<String>, BuildHandle> retrier;
  private final List<TicketJournal> journals;
  /** Serializes checkpoints, so that journals see the states in the order they were made. */
  private final Object checkpointLock = new Object();
  private final ResultFuture result = new ResultFuture(this);
  private final Set<Future<?>> tasks = ConcurrentHashMap.newKeySet();
  private final Context context = new Context();

  private final Object lock = new Object();
  private final Map<String, TargetStatus> targets = new LinkedHashMap<>();
  private final List<Subscriber> subscribers = new ArrayList<>();
  private boolean declared;
  private boolean started;
  private BuildEvent.Completed completed;
  private CompletableFuture<Void> cancellation;
  private volatile BuildStatus status = BuildStatus.RUNNING;
  private volatile boolean closed;
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
    this.eventQueue = new SerialExecutor(threads.events());
    this.retrier = retrier;
    this.journals = List.copyOf(journals);
    listeners.forEach(l -> subscribers.add(new Subscriber(l)));
  }

  /** What the backend reports through. */
  public BuildContext context() {
    return context;
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
      closed = true;
      stopTasks();
      throw e;
    }
    Runnable after;
    boolean cancelledWhileStarting;
    synchronized (lock) {
      job = started;
      this.started = true;
      emit(new BuildEvent.Submitted(id, clock.instant(), request, List.copyOf(targets.values())));
      if (completed != null) {
        // It ended (failed or was cancelled) while the backend was starting: listeners hear of
        // the end only now, after the submission it ends.
        emit(completed);
      }
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
      return List.copyOf(targets.values());
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
    Set<String> failed = new LinkedHashSet<>();
    synchronized (lock) {
      targets.values().stream().filter(t -> t.state().isFailure()).forEach(t -> failed.add(t.key()));
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
      known = new LinkedHashMap<>(targets);
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
    return TicketCodec.encode(id, backendName, attempt, request,
        targets().stream().map(TargetStatus::key).toList(), jobState());
  }

  /**
   * Stores the ticket with {@code state} in every journal before returning; a journal that fails
   * fails the build, and the exception tells the backend not to make the call it was about to.
   */
  private void checkpoint(Map<String, Object> state) {
    Objects.requireNonNull(state, "state");
    synchronized (checkpointLock) {
      Ticket ticket = TicketCodec.encode(id, backendName, attempt, request,
          targets().stream().map(TargetStatus::key).toList(), state);
      CrashPoints.reach("checkpoint-before");
      for (TicketJournal journal : journals) {
        try {
          journal.record(id, ticket);
        } catch (RuntimeException e) {
          ImageBuildException error = new ImageBuildException("build " + id + ": its ticket could not be recorded ("
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
      closed = true;
      for (TargetStatus t : List.copyOf(targets.values())) {
        if (!t.state().isTerminal()) {
          change(t.withState(TargetState.CANCELLING, t.rawState()));
        }
      }
      j = job;
    }
    stopTasks();
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
      for (TargetStatus t : List.copyOf(targets.values())) {
        if (t.state() == TargetState.CANCELLING) {
          change(failure == null
              ? t.withState(TargetState.CANCELLED, t.rawState())
              : t.withError(failure));
        }
      }
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
    Objects.requireNonNull(listener, "listener");
    Subscriber s = new Subscriber(listener);
    Runnable late = () -> {};
    synchronized (lock) {
      if (completed != null) {
        BuildEvent.Completed end = completed;
        try {
          eventQueue.execute(() -> s.deliver(end));
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
      synchronized (lock) {
        subscribers.remove(s);
      }
    };
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
      closed = true;
      announceEnd(BuildStatus.ERROR, null, error.getMessage());
    }
    LOG.warn("build {}: {}", id, error.getMessage());
    stopTasks();
    result.completeExceptionally(error);
  }

  private void update(TargetStatus target) {
    Runnable after;
    synchronized (lock) {
      if (closed) {
        return;
      }
      TargetStatus previous = targets.get(target.key());
      if (target.equals(previous)) {
        return;
      }
      change(target);
      after = completeIfDone();
    }
    after.run();
  }

  private void declare(List<TargetStatus> declaredTargets) {
    if (declaredTargets.isEmpty()) {
      // Every target terminal would be true of none: an empty fan-out must never read as success.
      fail(new ImageBuildException("build " + id + " (" + backendName + ") has no targets; a build of nothing"
          + " is an error, not a success"));
      return;
    }
    Runnable after;
    synchronized (lock) {
      if (closed) {
        return;
      }
      Map<String, TargetStatus> next = new LinkedHashMap<>();
      declaredTargets.forEach(t -> next.put(t.key(), t));
      targets.keySet().retainAll(next.keySet());
      next.values().forEach(t -> {
        if (!t.equals(targets.get(t.key()))) {
          change(t);
        }
      });
      declared = true;
      after = completeIfDone();
    }
    after.run();
  }

  /** Records a target's snapshot and tells listeners; caller holds the lock. */
  private void change(TargetStatus target) {
    TargetStatus previous = targets.put(target.key(), target);
    if (started) {
      LOG.debug("build {}: {}", id, target);
      emit(new BuildEvent.TargetStateChanged(id, clock.instant(), previous, target));
    }
  }

  /**
   * Ends the build when every declared target is terminal; returns what must run once the lock
   * is released (completing the future runs callers' callbacks, which must not hold our lock).
   */
  private Runnable completeIfDone() {
    if (!started || !declared || status.isDone()
        || !targets.values().stream().allMatch(t -> t.state().isTerminal())) {
      return () -> {};
    }
    BuildResult done = new BuildResult(id, backendName, List.copyOf(targets.values()), clock.instant());
    status = done.status();
    closed = true;
    announceEnd(status, done, null);
    return () -> {
      stopTasks();
      result.complete(done);
    };
  }

  /**
   * Records the one completion event and emits it, unless the build has not been announced yet
   * ({@link #begin} emits it then, after {@link BuildEvent.Submitted}); caller holds the lock.
   */
  private void announceEnd(BuildStatus endStatus, BuildResult done, String failure) {
    if (completed != null) {
      return;
    }
    completed = new BuildEvent.Completed(id, clock.instant(), endStatus, done, failure);
    if (started) {
      emit(completed);
    }
  }

  /** Queues an event for the current subscribers, in order; caller holds the lock. */
  private void emit(BuildEvent event) {
    List<Subscriber> audience = List.copyOf(subscribers);
    if (audience.isEmpty()) {
      return;
    }
    try {
      eventQueue.execute(() -> audience.forEach(s -> s.deliver(event)));
    } catch (RejectedExecutionException e) {
      LOG.debug("build {}: event dropped after shutdown: {}", id, event);
    }
  }

  private void emitIfOpen(Supplier<BuildEvent> event) {
    synchronized (lock) {
      if (started && !closed) {
        emit(event.get());
      }
    }
  }

  private void stopTasks() {
    // Called from one of this build's own tasks (the poll that saw the end), the cancel below
    // interrupts the very thread that is calling: what runs next on it (completing the result,
    // and with it the callers' dependent stages) must not start interrupted.
    boolean ownTask = RUNNING_TASK_OF.get() == this;
    boolean interruptedBefore = Thread.currentThread().isInterrupted();
    for (Future<?> f : tasks) {
      f.cancel(true);
    }
    tasks.clear();
    if (ownTask && !interruptedBefore) {
      Thread.interrupted();
    }
  }

  private Future<?> track(java.util.function.Function<Runnable, Future<?>> submit, Runnable task) {
    if (closed) {
      return CompletableFuture.completedFuture(null);
    }
    AtomicReference<Future<?>> self = new AtomicReference<>();
    Runnable guarded = () -> {
      RUNNING_TASK_OF.set(this);
      try {
        if (!closed) {
          task.run();
        }
      } catch (Throwable t) {
        if (!closed) {
          fail(t);
        }
      } finally {
        RUNNING_TASK_OF.remove();
        Future<?> me = self.get();
        if (me != null) {
          tasks.remove(me);
        }
      }
    };
    Future<?> f;
    try {
      f = submit.apply(guarded);
    } catch (RejectedExecutionException e) {
      fail(new ImageBuildException("the ImageBuilder was closed", e));
      return CompletableFuture.completedFuture(null);
    }
    self.set(f);
    tasks.add(f);
    if (f.isDone() || closed) {
      tasks.remove(f);
      if (closed) {
        f.cancel(true);
      }
    }
    return f;
  }

  @Override
  public String toString() {
    return "BuildHandle[" + id + ", " + backendName + ", " + status + "]";
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
        LOG.warn("build {}: listener {} threw on {}: {}", id, listener, event.getClass().getSimpleName(), t.toString());
      }
    }
  }

  /** The backend's view of this build. */
  private final class Context implements BuildContext {
    @Override
    public String buildId() {
      return id;
    }

    @Override
    public ImageRequest request() {
      return request;
    }

    @Override
    public void declareTargets(List<TargetStatus> declaredTargets) {
      declare(declaredTargets);
    }

    @Override
    public void update(TargetStatus target) {
      DefaultBuildHandle.this.update(target);
    }

    @Override
    public void progress(String targetKey, double fraction, String message) {
      emitIfOpen(() -> new BuildEvent.Progress(id, clock.instant(), targetKey, fraction, message));
    }

    @Override
    public void log(String targetKey, String line) {
      emitIfOpen(() -> new BuildEvent.LogLine(id, clock.instant(), targetKey, line));
    }

    @Override
    public void retryScheduled(
        String targetKey, String action, int attemptNumber, int maxAttempts, Duration delay, String reason) {
      LOG.info("build {}: {} of {} scheduled in {} (attempt {} of {}): {}",
          id, action, targetKey, delay, attemptNumber, maxAttempts, reason);
      emitIfOpen(() -> new BuildEvent.RetryScheduled(
          id, clock.instant(), targetKey, action, attemptNumber, maxAttempts, delay, reason));
    }

    @Override
    public void checkpoint(Map<String, Object> state) {
      DefaultBuildHandle.this.checkpoint(state);
    }

    @Override
    public void fail(Throwable cause) {
      DefaultBuildHandle.this.fail(cause);
    }

    @Override
    public Future<?> schedule(Runnable task, Duration delay) {
      return track(t -> threads.scheduler().schedule(t, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS), task);
    }

    @Override
    public Future<?> execute(Runnable task) {
      return track(t -> threads.workers().submit(t), task);
    }

    @Override
    public boolean isClosed() {
      return closed;
    }
  }
}
