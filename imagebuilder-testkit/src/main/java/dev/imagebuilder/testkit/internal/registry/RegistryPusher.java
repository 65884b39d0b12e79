package dev.imagebuilder.testkit.internal.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Pushes images as Launchpad's registry client does (lib/lp/oci/model/ociregistryclient.py):
 * per build the blobs (HEAD first, then POST and PUT {@code ?digest=}) and the schema2 manifest
 * by digest; after every build of a request, the manifest list under {@code <branch>_edge}.
 * Anonymous; loopback registries only (the test kit never reaches the network). Shares nothing
 * with the library's registry client.
 */
public final class RegistryPusher {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** Whether a push rule's registry can be pushed to from here (a loopback http(s) URL). */
  public static boolean pushable(String registryUrl) {
    try {
      URI u = URI.create(registryUrl);
      String h = u.getHost();
      return u.getScheme() != null && u.getScheme().startsWith("http") && h != null
          && (h.equals("127.0.0.1") || h.equals("localhost") || h.equals("[::1]"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** One build's image: blobs, then its manifest by digest. */
  public void pushBuild(URI registry, String repo, FakeImages.ArchImage image) throws IOException, InterruptedException {
    for (var blob : image.blobs().entrySet()) {
      URI head = registry.resolve("/v2/" + repo + "/blobs/" + blob.getKey());
      if (send(HttpRequest.newBuilder(head).method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode() == 200) {
        continue;
      }
      HttpResponse<String> post = send(HttpRequest.newBuilder(registry.resolve("/v2/" + repo + "/blobs/uploads/"))
          .POST(HttpRequest.BodyPublishers.noBody()));
      expect(post, 202);
      URI upload = registry.resolve("/v2/" + repo + "/blobs/uploads/").resolve(post.headers().firstValue("Location")
          .orElseThrow(() -> new IOException("upload without Location")));
      URI put = URI.create(upload + (upload.getRawQuery() == null ? "?" : "&") + "digest=" + blob.getKey().replace(":", "%3A"));
      expect(send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
          .PUT(HttpRequest.BodyPublishers.ofByteArray(blob.getValue()))), 201);
    }
    putManifest(registry, repo, image.digest(), image.manifest(), FakeImages.DOCKER_MANIFEST);
  }

  /** The list of a build request's images under {@code tag}. */
  public void pushList(URI registry, String repo, String tag, List<FakeImages.ArchImage> images)
      throws IOException, InterruptedException {
    FakeImages.MultiArch list = FakeImages.list(images);
    putManifest(registry, repo, tag, list.list(), FakeImages.DOCKER_LIST);
  }

  private void putManifest(URI registry, String repo, String reference, byte[] bytes, String type)
      throws IOException, InterruptedException {
    expect(send(HttpRequest.newBuilder(registry.resolve("/v2/" + repo + "/manifests/" + reference))
        .header("Content-Type", type).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))), 201);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static void expect(HttpResponse<String> r, int status) throws IOException {
    if (r.statusCode() != status) {
      throw new IOException(r.request().method() + " " + r.uri().getPath() + ": HTTP " + r.statusCode() + " " + r.body());
    }
  }
}
