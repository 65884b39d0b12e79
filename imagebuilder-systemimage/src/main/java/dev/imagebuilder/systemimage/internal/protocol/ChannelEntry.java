package dev.imagebuilder.systemimage.internal.protocol;

import java.util.Map;

/** One channel of {@code channels.json}. */
public record ChannelEntry(
    String name, boolean hidden, String alias, String redirect, Map<String, DeviceEntry> devices) {
  public ChannelEntry {
    devices = Map.copyOf(devices);
  }

  /** One device of a channel: where its index is, and optionally its device-signing keyring. */
  public record DeviceEntry(String name, RemotePath index, String redirect) {}
}
