package dev.imagebuilder.api;

import java.util.Objects;

/**
 * A small JSON document that identifies a build so that another process can re-attach to it with
 * {@code ImageBuilder.resume(ticket)}: the backend, the request and the remote references (such as
 * Launchpad build request and build URLs) with attempt counts. It never contains secrets.
 */
public record Ticket(String json) {
  public Ticket {
    Objects.requireNonNull(json, "json");
    String s = json.strip();
    if (!s.startsWith("{") || !s.endsWith("}")) {
      throw new InvalidRequestException("ticket", "is not a JSON object: " + Checks.quote(json));
    }
  }

  /** Reads a ticket from its JSON text. */
  public static Ticket parse(String json) {
    return new Ticket(json);
  }

  @Override
  public String toString() {
    return json;
  }
}
