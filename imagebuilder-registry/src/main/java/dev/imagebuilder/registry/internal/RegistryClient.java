package dev.imagebuilder.registry.internal;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.RemoteServiceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The distribution API calls promotion needs, by registry base URI and repository: manifests
 * by their exact bytes, blob existence, cross-repository mount and cross-registry copy.
 */
public final class RegistryClient {
  /** Manifests larger than this are refused (the spec asks registries to handle at least 4 MB). */
  static final int MAX_MANIFEST_BYTES = 8 << 20;

  private final RegistryHttp http;
  private final AtomicLong blobBytesUploaded = new AtomicLong();

  public RegistryClient(RegistryHttp http) {
    this.http = http;
  }

  public long requestCount() {
    return http.requestCount();
  }

  /** Blob bytes this client uploaded (cross-registry copies; mounts and retags move none). */
  public long blobBytesUploaded() {
    return blobBytesUploaded.get();
  }

  public Manifest getManifest(URI base, String repo, String reference) {
    URI uri = manifestUri(base, repo, reference);
    RegistryHttp.Answer a = http.exchange(RegistryHttp.Call.of("GET", uri, pull(repo), repo)
        .header("Accept", Manifest.ACCEPT), MAX_MANIFEST_BYTES);
    Manifest m = Manifest.verified(a.body(), a.header("Content-Type").orElse(null),
        a.header("Docker-Content-Digest").orElse(null), repo + ":" + reference);
    if (reference.startsWith("sha256:") && !reference.equals(m.digest())) {
      throw new IntegrityException(repo + "@" + reference + ": the registry served bytes hashing to " + m.digest());
    }
    return m;
  }

  /** The digest under {@code reference}, or empty when there is none (404). */
  public Optional<String> headManifest(URI base, String repo, String reference, List<String> scopes) {
    URI uri = manifestUri(base, repo, reference);
    HttpResponse<InputStream> resp = http.send(RegistryHttp.Call.of("HEAD", uri, scopes, repo)
        .header("Accept", Manifest.ACCEPT));
    byte[] body = RegistryHttp.readAll(resp, 1 << 16);
    if (resp.statusCode() == 404) {
      return Optional.empty();
    }
    if (resp.statusCode() / 100 != 2) {
      throw RegistryHttp.error("HEAD", uri, resp.statusCode(), body);
    }
    Optional<String> digest = resp.headers().firstValue("Docker-Content-Digest");
    if (digest.isEmpty()) {
      // Without the header a HEAD cannot say which bytes are there: read them.
      return Optional.of(getManifest(base, repo, reference).digest());
    }
    return digest.map(String::strip);
  }

  /** PUTs the exact bytes with their own media type; checks the registry kept the digest. */
  public void putManifest(URI base, String repo, String reference, Manifest m) {
    URI uri = manifestUri(base, repo, reference);
    RegistryHttp.Answer a = http.exchange(RegistryHttp.Call.of("PUT", uri, push(repo), repo)
        .header("Content-Type", m.mediaType())
        .body(() -> HttpRequest.BodyPublishers.ofByteArray(m.bytes())), 1 << 16);
    Optional<String> stored = a.header("Docker-Content-Digest").map(String::strip);
    if (stored.isPresent() && !stored.get().equals(m.digest())) {
      throw new IntegrityException(repo + ":" + reference + ": the registry stored digest " + stored.get()
          + " for a manifest whose digest is " + m.digest());
    }
  }

  public boolean blobExists(URI base, String repo, String digest, List<String> scopes) {
    URI uri = base.resolve("/v2/" + repo + "/blobs/" + digest);
    HttpResponse<InputStream> resp = http.send(RegistryHttp.Call.of("HEAD", uri, scopes, repo));
    byte[] body = RegistryHttp.readAll(resp, 1 << 16);
    if (resp.statusCode() == 404) {
      return false;
    }
    if (resp.statusCode() / 100 != 2) {
      throw RegistryHttp.error("HEAD", uri, resp.statusCode(), body);
    }
    return true;
  }

  /**
   * Mounts a blob from another repository of the same registry. False when the registry opened
   * an upload instead (it does not know the blob there); that upload is cancelled.
   */
  public boolean mountBlob(URI base, String dst, String src, String digest) {
    URI uri = base.resolve("/v2/" + dst + "/blobs/uploads/?mount=" + enc(digest) + "&from=" + enc(src));
    List<String> scopes = List.of("repository:" + dst + ":pull,push", "repository:" + src + ":pull");
    HttpResponse<InputStream> resp = http.send(RegistryHttp.Call.of("POST", uri, scopes, dst));
    byte[] body = RegistryHttp.readAll(resp, 1 << 16);
    if (resp.statusCode() == 201) {
      return true;
    }
    if (resp.statusCode() == 202) {
      resp.headers().firstValue("Location").ifPresent(loc -> {
        URI upload = uri.resolve(loc);
        HttpResponse<InputStream> d = http.send(RegistryHttp.Call.of("DELETE", upload, push(dst), dst));
        RegistryHttp.drain(d);
      });
      return false;
    }
    throw RegistryHttp.error("POST", uri, resp.statusCode(), body);
  }

  /**
   * Copies one blob across registries: streamed to a temporary file while its sha256 is checked,
   * then uploaded (POST for a session, PUT with the digest), so a retry can send it again.
   */
  public void copyBlob(URI srcBase, String srcRepo, URI dstBase, String dstRepo, String digest) {
    Path tmp = null;
    try {
      tmp = Files.createTempFile("imagebuilder-blob-", ".part");
      URI get = srcBase.resolve("/v2/" + srcRepo + "/blobs/" + digest);
      HttpResponse<InputStream> resp = http.send(RegistryHttp.Call.of("GET", get, pull(srcRepo), srcRepo));
      if (resp.statusCode() != 200) {
        throw RegistryHttp.error("GET", get, resp.statusCode(), RegistryHttp.readAll(resp, 1 << 16));
      }
      String actual;
      long size;
      try (InputStream in = resp.body();
          DigestOutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha256())) {
        size = in.transferTo(out);
        actual = "sha256:" + HexFormat.of().formatHex(out.getMessageDigest().digest());
      }
      if (!actual.equals(digest)) {
        throw new IntegrityException(srcRepo + "@" + digest + ": the blob's bytes hash to " + actual);
      }
      URI post = dstBase.resolve("/v2/" + dstRepo + "/blobs/uploads/");
      RegistryHttp.Answer started = http.exchange(RegistryHttp.Call.of("POST", post, push(dstRepo), dstRepo), 1 << 16);
      String location = started.header("Location").orElseThrow(() -> new RemoteServiceException(
          started.status(), "POST", post, "the registry opened an upload without a Location"));
      URI upload = post.resolve(location);
      String sep = upload.getRawQuery() == null ? "?" : "&";
      URI put = URI.create(upload + sep + "digest=" + enc(digest));
      Path file = tmp;
      http.exchange(RegistryHttp.Call.of("PUT", put, push(dstRepo), dstRepo)
          .header("Content-Type", "application/octet-stream")
          .body(() -> {
            try {
              return HttpRequest.BodyPublishers.ofFile(file);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }), 1 << 16);
      blobBytesUploaded.addAndGet(size);
    } catch (IOException e) {
      throw new UncheckedIOException("copying " + digest + " to " + dstRepo + " failed", e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // A temporary file left behind is harmless.
        }
      }
    }
  }

  public static List<String> pull(String repo) {
    return List.of("repository:" + repo + ":pull");
  }

  public static List<String> push(String repo) {
    return List.of("repository:" + repo + ":pull,push");
  }

  private static URI manifestUri(URI base, String repo, String reference) {
    return base.resolve("/v2/" + repo + "/manifests/" + reference);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
