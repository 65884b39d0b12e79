package dev.imagebuilder.guestfs.internal;

import java.nio.file.Path;
import java.util.Map;

/** Where a finished disk image goes: the request's {@code destination}. */
interface ImageDelivery {
  /** One line for plans and logs: where the image would go. */
  String describe();

  /**
   * Delivers the finished work file {@code disk} (which it may move) and returns the outputs
   * that say where it went.
   *
   * @param built the target's outputs so far (size, sha256, base image, ...)
   */
  Map<String, String> deliver(Path disk, Map<String, String> built, Steps steps);

  /** What a delivery may do to its build while it runs. */
  interface Steps {
    void log(String line);

    /** Progress within the delivery, 0 to 1. */
    void progress(double fraction, String message);

    void stage(String rawState);

    Cancellation cancellation();
  }
}
