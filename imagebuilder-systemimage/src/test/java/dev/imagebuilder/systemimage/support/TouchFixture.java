package dev.imagebuilder.systemimage.support;

import dev.imagebuilder.api.BuildListener;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.systemimage.KeyTool;
import dev.imagebuilder.systemimage.SystemImageBackendProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keys, a customizer script and an ImageBuilder configured for the systemimage backend. */
public final class TouchFixture {
  private static Path keys;

  private TouchFixture() {}

  /** The KeyTool output shared by the tests of this JVM (RSA generation is slow). */
  public static synchronized Path keys() throws Exception {
    if (keys == null) {
      Path dir = Files.createTempDirectory("imagebuilder-keys");
      int status = KeyTool.run(new String[] {dir.toString(), "--bits", "2048", "--owner", "Test"},
          "test passphrase");
      if (status != 0) {
        throw new IllegalStateException("KeyTool failed: " + status);
      }
      keys = dir;
    }
    return keys;
  }

  /**
   * A customizer script: writes a marker file, records each package in the dpkg status file as
   * if installed, and copies the PPA sources it was given to the marker; exits with
   * {@code $FAIL_WITH} when set in the marker's place.
   */
  public static Path customizerScript(Path dir, int exitStatus) throws IOException {
    Path script = dir.resolve("customize-" + exitStatus + ".sh");
    Files.writeString(script, "#!/bin/sh\nset -e\n"
        + "rootfs=\"$1\"\n"
        + "echo \"customizing $rootfs for series $2 ppas=$3 packages=$4\"\n"
        + (exitStatus != 0 ? "echo 'E: Unable to locate package' >&2; exit " + exitStatus + "\n" : "")
        + "mkdir -p \"$rootfs/etc\" \"$rootfs/var/lib/dpkg\"\n"
        + "{ echo \"series=$IMAGEBUILDER_SERIES\"; echo \"ppas=$IMAGEBUILDER_PPAS\";"
        + " for s in $IMAGEBUILDER_SOURCES; do cat \"$rootfs$s\"; done; } > \"$rootfs/etc/imagebuilder-marker\"\n"
        + "for p in $IMAGEBUILDER_PACKAGES; do\n"
        + "  printf 'Package: %s\\nStatus: install ok installed\\nVersion: 1.0\\nArchitecture: arm64\\n\\n' \"$p\""
        + " >> \"$rootfs/var/lib/dpkg/status\"\n"
        + "  echo \"installed $p\"\n"
        + "  echo \"$p\" > \"$rootfs/etc/imagebuilder-pkg-$p\"\n"
        + "done\n");
    Files.setAttribute(script, "unix:mode", 0755);
    return script;
  }

  /** The configuration of a test build publishing into {@code publish}. */
  public static Map<String, String> config(Path work, Path publish) throws Exception {
    Path keys = keys();
    Map<String, String> c = new LinkedHashMap<>();
    c.put("systemimage.publish-directory", publish.toString());
    c.put("systemimage.keys-directory", keys.toString());
    c.put("systemimage.signing-key-passphrase", "test passphrase");
    c.put("systemimage.customizer", "command");
    c.put("systemimage.customizer-command",
        customizerScript(work, 0) + " {rootfs} {series} {ppas} {packages}");
    c.put("systemimage.ppa-key-file", keys.resolve("public/archive-master.asc").toString());
    c.put("systemimage.ppa-url-template", "http://127.0.0.1:9/ppa/{owner}/{name}/{distribution}");
    c.put("systemimage.cache-directory", work.resolve("cache").toString());
    c.put("systemimage.work-directory", work.resolve("work").toString());
    c.put("systemimage.xz-preset", "1");
    c.put("systemimage.public-host", "si.example.test");
    return c;
  }

  /**
   * The configuration of a system test with the real chroot customizer: the PPA key and the
   * local repository made by a {@code .ci/setup.d} script, served on {@code ppaPort}.
   */
  public static Map<String, String> chrootConfig(Path work, Path publish, Path data, int ppaPort)
      throws Exception {
    Map<String, String> c = config(work, publish);
    c.put("systemimage.customizer", "chroot");
    c.remove("systemimage.customizer-command");
    c.put("systemimage.ppa-key-file", data.resolve("ppa-key.asc").toString());
    c.put("systemimage.ppa-url-template", "http://127.0.0.1:" + ppaPort + "/{owner}/{name}/{distribution}");
    c.put("systemimage.xz-preset", "0");
    return c;
  }

  /** Requires root, for chroot and mount. */
  public static void requireRoot() throws IOException {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    SystemTests.require(uid == 0, "the chroot customizer needs root (running as uid " + uid + ")");
  }

  public static ImageBuilder builder(Path work, Map<String, String> config, BuildListener... listeners) {
    return builderWithEnvironment(work, config, name -> null, listeners);
  }

  public static ImageBuilder builderWithEnvironment(Path work, Map<String, String> config,
      java.util.function.Function<String, String> environment, BuildListener... listeners) {
    ImageBuilder.Builder b = ImageBuilder.newBuilder()
        .discoverBackends(false)
        .backend(new SystemImageBackendProvider())
        .environment(environment)
        .stateDirectory(work.resolve("state"))
        .config(config);
    for (BuildListener l : listeners) {
      b.listener(l);
    }
    return b.build();
  }

  public static List<String> lines(String text) {
    return List.of(text.split("\n"));
  }
}
