package dev.imagebuilder.api;

/**
 * Where a build's ticket is kept so that a process killed at any instant can be resumed without
 * losing a build or requesting one twice. The engine records the ticket before every call that
 * creates remote work (the intent) and again once the answer is known, and does not make the call
 * until {@link #record} has returned.
 *
 * <p>An implementation must have the ticket durably stored when {@code record} returns (for a
 * file: written, forced to the device, renamed into place, and its directory forced), and must
 * throw when it cannot: the build then fails instead of doing work that nothing would remember.
 * Calls for one build come one at a time and in order; calls for different builds may overlap.
 * Tickets never contain secrets.
 */
@FunctionalInterface
public interface TicketJournal {
  /**
   * Stores the latest ticket of build {@code buildId}, replacing the one stored before.
   *
   * @throws RuntimeException when it could not be stored durably
   */
  void record(String buildId, Ticket ticket);
}
