package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.systemimage.internal.publish.ChannelPublisher;
import dev.imagebuilder.systemimage.internal.publish.PayloadFile;
import dev.imagebuilder.systemimage.internal.publish.PublishedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 5: publishes the staged payloads as the device's next full image (with its deltas and the
 * expiry of old images) and describes the result as the target's outputs.
 */
final class PublishStep {
  private final BuildSetup setup;
  private final ChannelPublisher publisher;

  PublishStep(BuildSetup setup, ChannelPublisher publisher) {
    this.setup = setup;
    this.publisher = publisher;
  }

  Map<String, String> call(Path staging, String device, List<PayloadFile> payloads,
      List<String> versionDetail, int remoteVersion) throws IOException {
    Settings s = setup.settings();
    PublicAddress address = setup.publicAddress();
    String channel = setup.targetChannel();
    PublishedImage published = publisher.publish(staging,
        new ChannelPublisher.ImageSpec(channel, device, address.host(), address.httpPort(),
            address.httpsPort(), versionDetail, s.fullImages(), s.deltaBases()),
        payloads, setup.gpgFiles());
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("channel", channel);
    outputs.put("device", device);
    outputs.put("version", Integer.toString(published.version()));
    outputs.put("index", published.index().toString());
    outputs.put("channels", published.channels().toString());
    outputs.put("publish-directory", s.publishDirectory().toAbsolutePath().toString());
    outputs.put("remote-version", Integer.toString(remoteVersion));
    address.url("/" + channel + "/" + device + "/index.json").ifPresent(u -> outputs.put("index-url", u));
    return outputs;
  }
}
