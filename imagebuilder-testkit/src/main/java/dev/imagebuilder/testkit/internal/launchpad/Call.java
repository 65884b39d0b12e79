package dev.imagebuilder.testkit.internal.launchpad;

/** One request as the journal keeps it (see the public {@code RecordedCall}). */
public record Call(String method, String path, String wsOp, int status, boolean anonymous, String fault,
    boolean processed) {}
