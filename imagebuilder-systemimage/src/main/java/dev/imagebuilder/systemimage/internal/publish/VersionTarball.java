package dev.imagebuilder.systemimage.internal.publish;

import dev.imagebuilder.systemimage.internal.tar.TarXzWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The {@code version-<N>.tar.xz} of a channel's device: {@code system/etc/ubuntu-build} with the
 * build number, {@code system/etc/system-image/channel.ini} telling the device where its updates
 * come from, and the {@code config.d} links through which the client reads it.
 */
public final class VersionTarball {
  private VersionTarball() {}

  /** What channel.ini says. */
  public record ChannelIni(
      String host, int httpPort, int httpsPort, String channel, String device, int buildNumber,
      String versionDetail) {
    public String text() {
      return "[service]\n"
          + "base: " + host + "\n"
          + "http_port: " + port(httpPort) + "\n"
          + "https_port: " + port(httpsPort) + "\n"
          + "channel: " + channel + "\n"
          + "device: " + device + "\n"
          + "build_number: " + buildNumber + "\n"
          + (versionDetail == null ? "" : "version_detail: " + versionDetail + "\n");
    }

    private static String port(int p) {
      return p == 0 ? "disabled" : Integer.toString(p);
    }
  }

  public static void write(Path target, ChannelIni ini, Instant now) throws IOException {
    try (TarXzWriter tar = TarXzWriter.create(target, 6)) {
      tar.directory("system", 0755, now);
      tar.directory("system/etc", 0755, now);
      tar.file("system/etc/ubuntu-build",
          (ini.buildNumber() + "\n").getBytes(StandardCharsets.UTF_8), 0644, now);
      tar.directory("system/etc/system-image", 0755, now);
      tar.file("system/etc/system-image/channel.ini",
          ini.text().getBytes(StandardCharsets.UTF_8), 0644, now);
      tar.directory("system/etc/system-image/config.d", 0755, now);
      tar.symlink("system/etc/system-image/config.d/00_default.ini", "../client.ini", now);
      tar.symlink("system/etc/system-image/config.d/01_channel.ini", "../channel.ini", now);
    }
  }
}
