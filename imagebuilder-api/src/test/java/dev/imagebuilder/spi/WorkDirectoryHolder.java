package dev.imagebuilder.spi;

import java.nio.file.Files;
import java.nio.file.Path;

/** A process that makes a work directory, writes into it, says where, and waits to be killed. */
public final class WorkDirectoryHolder {
  private WorkDirectoryHolder() {}

  public static void main(String[] args) throws Exception {
    WorkDirectory dir = args[0].equals("claim")
        ? WorkDirectory.claim(Path.of(args[1]), System.err::println)
        : WorkDirectory.create(Path.of(args[1]), args[2], System.err::println);
    Files.writeString(dir.path().resolve("half-built.img"), "x".repeat(4096));
    System.out.println(dir.path());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // the test kills this process: that is the point
  }
}
