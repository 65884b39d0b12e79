package dev.imagebuilder.systemimage.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A published tree served as a real web server would serve it: Python's {@code http.server},
 * bound to loopback on a free port, running as the unprivileged user {@code nobody} when this
 * process is root (so a file only root may read answers 403/404, as it would behind nginx), or as
 * this user otherwise.
 */
public final class StaticServer implements AutoCloseable {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Pattern PORT = Pattern.compile("port (\\d+)");

  private final Process process;
  private final URI base;
  private final boolean unprivileged;
  private final HttpClient http = HttpClient.newHttpClient();

  private StaticServer(Process process, URI base, boolean unprivileged) {
    this.process = process;
    this.base = base;
    this.unprivileged = unprivileged;
  }

  /** True when the server can run as another, unprivileged user here. */
  public static boolean canRunUnprivileged() {
    return isRoot() && Files.isExecutable(PYTHON) && Files.isExecutable(Path.of("/usr/sbin/runuser"));
  }

  public static boolean isRoot() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    } catch (IOException e) {
      return false;
    }
  }

  public static StaticServer serve(Path directory) throws IOException {
    boolean asNobody = canRunUnprivileged();
    List<String> command = new ArrayList<>();
    if (asNobody) {
      command.addAll(List.of("/usr/sbin/runuser", "-u", "nobody", "--"));
    }
    command.addAll(List.of(Files.isExecutable(PYTHON) ? PYTHON.toString() : "python3", "-u", "-m",
        "http.server", "0", "--bind", "127.0.0.1", "--directory", directory.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine(); // "Serving HTTP on 127.0.0.1 port N (http://...) ..."
    Matcher m = line == null ? null : PORT.matcher(line);
    if (m == null || !m.find()) {
      p.destroyForcibly();
      throw new IOException("http.server did not start: " + line);
    }
    // Keep draining the request log so the server never blocks on a full pipe.
    Thread drain = new Thread(() -> {
      try {
        while (out.readLine() != null) {
          // discard
        }
      } catch (IOException ignored) {
        // the server stopped
      }
    }, "http.server-log");
    drain.setDaemon(true);
    drain.start();
    return new StaticServer(p, URI.create("http://127.0.0.1:" + m.group(1)), asNobody);
  }

  public URI base() {
    return base;
  }

  public boolean unprivileged() {
    return unprivileged;
  }

  /** GETs a path of the tree; the status and body. */
  public HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The body of a path, failing the test on anything but 200. */
  public byte[] bytes(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = get(path);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " answered " + r.statusCode());
    }
    return r.body();
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
