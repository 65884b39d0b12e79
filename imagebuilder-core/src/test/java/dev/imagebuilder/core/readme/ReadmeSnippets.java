package dev.imagebuilder.core.readme;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.BuildBatch;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.core.WireFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The README's Java snippets, kept here so that the compiler checks them against the API (they
 * talk to real services, so they are compiled, not run; the test-kit example and the JShell
 * session do run).
 */
@SuppressWarnings("unused")
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  static void quickStart() {
    try (ImageBuilder builder = ImageBuilder.create()) {           // 1
      BuildHandle h = builder.submit(ImageRequest.oci()            // 2
          .images("redis", "postgres")                              // 3
          .series("22.04", "24.04")
          .architectures(Architecture.AMD64, Architecture.ARM64)
          .autoRetryUploads(3)                                      // 4
          .build());
      h.subscribe(e -> System.out.println(e));                      // 5
      BuildResult r = h.await();                                    // 6
      if (!r.succeeded()) h.retry().await();                        // 7
    }
  }

  static void wireFormat(ImageBuilder builder) throws IOException {
    List<ImageRequest> requests = WireFormat.parse(Files.readString(Path.of("requests.json")));
    BuildBatch batch = builder.submitAll(requests);   // each to its backend; none if any is invalid
    List<BuildResult> results = batch.await();
  }

  static void cloud(ImageBuilder builder) {
    BuildResult r = builder.submit(ImageRequest.cloud()
        .image("https://cloud-images.ubuntu.com/jammy/current/jammy-server-cloudimg-amd64.img")
        .series("jammy").ppas("ppa:owner/name").packages("hello")
        .build()).await().orThrow();
    String path = r.targets().get(0).outputs().get("path");
  }

  static ImageBuilder launchpad() {
    ImageBuilder builder = ImageBuilder.newBuilder()
        .config("launchpad.catalog", "catalog.json")
        .config("launchpad.credentials-file", "launchpad.credentials")
        .build();
    return builder;
  }

  static void touch() {
    try (ImageBuilder builder = ImageBuilder.newBuilder()
        .config("systemimage.publish-directory", "/srv/system-image/www")
        .config("systemimage.keys-directory", "/srv/system-image/keys")      // made by KeyTool
        .build()) {
      BuildResult r = builder.submit(ImageRequest.touch()
          .systemImageServer("https://system-image.ubports.com")
          .channel("20.04/arm64/android9plus/devel")
          .devices("FP4")                      // none: every device of the channel
          .series("focal").ppas("ppa:my-team/fixes").packages("hello")
          .targetChannel("ci-ticket-42")       // none: derived from the channel and the changes
          .build()).await();
      r.targets().forEach(t -> System.out.println(t.outputs()));   // channel, device, version, index.json
    }
  }
}
