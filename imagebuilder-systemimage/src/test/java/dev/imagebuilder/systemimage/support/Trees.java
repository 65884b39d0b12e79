package dev.imagebuilder.systemimage.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Snapshots and checks of a published tree, independent of the backend's classes. */
public final class Trees {
  private Trees() {}

  /** Every file of the tree (relative path -> sha256), leaving out the publisher's working area. */
  public static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(root)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        String rel = root.relativize(p).toString();
        if (rel.isEmpty() || rel.startsWith(".imagebuilder-staging")) {
          continue;
        }
        out.put(rel + (Files.isDirectory(p) ? "/" : ""), Files.isDirectory(p) ? "dir" : sha256(p));
      }
    }
    return out;
  }

  public static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a command, returning its stdout; fails the test on a non-zero exit. */
  public static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    int status = p.waitFor();
    if (status != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + status + ":\n" + out);
    }
    return out;
  }

  /** Verifies a detached signature with gpgv and a binary keyring, as a device's tools would. */
  public static void gpgv(Path keyring, Path file) throws IOException, InterruptedException {
    run(List.of("gpgv", "--keyring", keyring.toAbsolutePath().toString(),
        file.toAbsolutePath() + ".asc", file.toAbsolutePath().toString()));
  }

  /** One member of a tar.xz, read with the system tar. */
  public static String tarMember(Path tarXz, String member) throws IOException, InterruptedException {
    return run(List.of("tar", "-xJOf", tarXz.toString(), member));
  }

  public static List<String> tarList(Path tarXz) throws IOException, InterruptedException {
    return List.of(run(List.of("tar", "-tJf", tarXz.toString())).split("\n"));
  }
}
