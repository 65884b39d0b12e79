package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.systemimage.internal.pgp.SignatureVerifier;
import dev.imagebuilder.systemimage.internal.protocol.ChannelEntry;
import dev.imagebuilder.systemimage.internal.protocol.DeviceIndex;
import dev.imagebuilder.systemimage.internal.protocol.ImageFile;
import dev.imagebuilder.systemimage.internal.protocol.ProtocolJson;
import dev.imagebuilder.systemimage.internal.protocol.RemotePath;
import dev.imagebuilder.systemimage.internal.protocol.SystemImageClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link SystemImageClient} that checks the remote's signatures: {@code channels.json}, each
 * {@code index.json} and each payload against its {@code .asc}, with the configured keyring.
 * Without a keyring it reads exactly as the plain client does (sizes and sha256 from the index
 * are still checked by the downloader).
 */
final class VerifyingClient {
  private final SystemImageClient client;
  private final Optional<SignatureVerifier> verifier;

  VerifyingClient(SystemImageClient client, Optional<SignatureVerifier> verifier) {
    this.client = client;
    this.verifier = verifier;
  }

  boolean verifies() {
    return verifier.isPresent();
  }

  URI base() {
    return client.base();
  }

  URI uri(RemotePath path) {
    return client.uri(path);
  }

  Map<String, ChannelEntry> channels() {
    RemotePath path = RemotePath.of("channels", "/channels.json");
    return ProtocolJson.channels(signed(path), client.uri(path).toString());
  }

  DeviceIndex index(RemotePath path) {
    return ProtocolJson.index(signed(path), client.uri(path).toString());
  }

  /** A small document that may be absent (a payload's sidecar {@code .json}); not verified. */
  Optional<byte[]> optional(RemotePath path) {
    return client.getIfPresent(path);
  }

  /** Checks a downloaded payload against its remote signature; false when nothing verifies. */
  boolean verifyPayload(ImageFile f, Path blob) throws IOException {
    if (verifier.isEmpty()) {
      return false;
    }
    verifier.get().verify(blob, client.get(f.signature()), client.uri(f.path()).toString());
    return true;
  }

  private byte[] signed(RemotePath path) {
    byte[] bytes = client.get(path);
    if (verifier.isPresent()) {
      verifier.get().verify(bytes, client.get(path.withSuffix(".asc")), client.uri(path).toString());
    }
    return bytes;
  }
}
