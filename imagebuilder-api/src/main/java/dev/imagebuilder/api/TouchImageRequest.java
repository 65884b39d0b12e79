package dev.imagebuilder.api;

import java.net.URI;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A touch image: a new system-image channel whose rootfs is the remote channel's rootfs plus
 * PPAs and packages, and whose device files are mirrored unchanged from {@code channel} on
 * {@code systemImageServer}.
 *
 * @param devices the devices to build for; empty means every device of the remote channel
 * @param targetChannel the channel to publish, or {@code null} to let the backend derive it
 */
public record TouchImageRequest(
    URI systemImageServer,
    String channel,
    List<String> devices,
    Series series,
    List<Ppa> ppas,
    List<PackageSpec> packages,
    String targetChannel,
    String trigger)
    implements ImageRequest {

  static final List<String> SERVER_SCHEMES = List.of("https", "http");
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

  public TouchImageRequest {
    Checks.absoluteUri("systemImageServer", Checks.required("systemImageServer", systemImageServer),
        SERVER_SCHEMES);
    channel = channelName("channel", Checks.required("channel", channel));
    devices = Checks.list("devices", devices, d -> segment("devices", d));
    Checks.required("series", series);
    ppas = Checks.distinct(ppas);
    packages = Checks.distinct(packages);
    targetChannel = targetChannel == null ? null : channelName("targetChannel", targetChannel);
    trigger = Checks.trigger(trigger);
  }

  @Override
  public String imageType() {
    return "touch";
  }

  /** A builder with this request's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.systemImageServer = systemImageServer;
    b.channel = channel;
    b.devices = devices;
    b.series = series;
    b.ppas = ppas;
    b.packages = packages;
    b.targetChannel = targetChannel;
    b.trigger = trigger;
    return b;
  }

  /**
   * A channel name is one or more path segments ({@code 20.04/arm64/android9plus/stable}); no
   * segment may be empty, {@code .} or {@code ..}, so a name can never climb out of a tree.
   */
  static String channelName(String field, String name) {
    String[] parts = name.split("/", -1);
    for (String part : parts) {
      if (!SEGMENT.matcher(part).matches()) {
        throw new InvalidRequestException(field, Checks.quote(name)
            + " is not a channel name (segments of letters, digits, '.', '_', '+', '-'"
            + " separated by '/', none empty or starting with '.')");
      }
    }
    return name;
  }

  private static String segment(String field, String value) {
    if (!SEGMENT.matcher(value).matches()) {
      throw new InvalidRequestException(field, Checks.quote(value)
          + " is not a device name (letters, digits, '.', '_', '+', '-')");
    }
    return value;
  }

  /** Builds a {@link TouchImageRequest}; setters may be called in any order. */
  public static final class Builder {
    private URI systemImageServer;
    private String channel;
    private List<String> devices = List.of();
    private Series series;
    private List<Ppa> ppas = List.of();
    private List<PackageSpec> packages = List.of();
    private String targetChannel;
    private String trigger;

    Builder() {}

    public Builder systemImageServer(URI server) {
      this.systemImageServer = server;
      return this;
    }

    public Builder systemImageServer(String server) {
      this.systemImageServer = Checks.parseUri("systemImageServer", server, SERVER_SCHEMES);
      return this;
    }

    public Builder channel(String channel) {
      this.channel = channel;
      return this;
    }

    public Builder devices(String... devices) {
      return devices(Arrays.asList(devices));
    }

    public Builder devices(Collection<String> devices) {
      this.devices = Checks.list("devices", devices, d -> segment("devices", d));
      return this;
    }

    public Builder series(String series) {
      this.series = Series.of(series);
      return this;
    }

    public Builder series(Series series) {
      this.series = series;
      return this;
    }

    public Builder ppas(String... ppas) {
      return ppas(Arrays.asList(ppas));
    }

    public Builder ppas(Collection<String> ppas) {
      this.ppas = Checks.list("ppas", ppas, Ppa::of);
      return this;
    }

    public Builder packages(String... packages) {
      return packages(Arrays.asList(packages));
    }

    public Builder packages(Collection<String> packages) {
      this.packages = Checks.list("packages", packages, PackageSpec::of);
      return this;
    }

    /** The channel to publish; when not set, the backend derives it (see its documentation). */
    public Builder targetChannel(String targetChannel) {
      this.targetChannel = targetChannel;
      return this;
    }

    public Builder trigger(String trigger) {
      this.trigger = trigger;
      return this;
    }

    public TouchImageRequest build() {
      return new TouchImageRequest(
          systemImageServer, channel, devices, series, ppas, packages, targetChannel, trigger);
    }
  }
}
