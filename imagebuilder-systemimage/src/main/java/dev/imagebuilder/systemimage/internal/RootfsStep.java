package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.systemimage.internal.protocol.ImageFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Step 3: the channel's own rootfs, built from the remote one. One instance per build: a rootfs
 * built once is reused for every device whose remote image has the same rootfs.
 */
final class RootfsStep {
  private final TouchImageRequest request;
  private final RootfsBuilder builder;
  private final Path workDirectory;
  private final Map<String, Path> built = new HashMap<>();

  RootfsStep(TouchImageRequest request, RootfsBuilder builder, Path workDirectory) {
    this.request = request;
    this.builder = builder;
    this.workDirectory = workDirectory;
  }

  Path call(Path remote, ImageFile f, String device, DeviceReport report) throws Exception {
    Path done = built.get(f.checksum());
    if (done != null && Files.exists(done)) {
      report.log("reusing the rootfs built from " + f.path() + " in this build");
      return done;
    }
    report.state(TargetState.BUILDING, "customizing rootfs");
    report.progress(0.6, "customizing the rootfs");
    Path output = workDirectory.resolve("rootfs-" + f.checksum() + ".tar.xz");
    builder.build(remote, workDirectory.resolve(f.checksum()), output, request.series(),
        request.ppas(), request.packages(), device, report::log);
    built.put(f.checksum(), output);
    return output;
  }
}
