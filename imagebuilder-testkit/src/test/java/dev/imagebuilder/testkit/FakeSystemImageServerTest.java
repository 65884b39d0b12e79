package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake speaks the protocol a system-image client expects, checked over plain HTTP. */
class FakeSystemImageServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private FakeSystemImageServer server;

  @BeforeEach
  void start() throws IOException {
    server = FakeSystemImageServer.demo();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.baseUri() + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private byte[] ok(String path) throws Exception {
    HttpResponse<byte[]> r = get(path);
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  private void verify(byte[] data, byte[] asc, String armoredKey) throws Exception {
    PGPPublicKeyRingCollection keys = new PGPPublicKeyRingCollection(PGPUtil.getDecoderStream(
        new ByteArrayInputStream(armoredKey.getBytes(StandardCharsets.US_ASCII))),
        new JcaKeyFingerprintCalculator());
    InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(asc));
    PGPSignature sig = ((PGPSignatureList) new JcaPGPObjectFactory(in).nextObject()).get(0);
    sig.init(new JcaPGPContentVerifierBuilderProvider(), keys.getPublicKey(sig.getKeyID()));
    sig.update(data);
    assertThat(sig.verify()).isTrue();
  }

  @Test
  void servesASignedChannelWhoseFilesMatchTheirIndex() throws Exception {
    byte[] channels = ok("/channels.json");
    verify(channels, ok("/channels.json.asc"), server.signingPublicKey());
    JsonNode devices = JSON.readTree(channels).get(server.channel()).get("devices");
    assertThat(devices.fieldNames()).toIterable().containsExactlyInAnyOrder("FP4", "bacon");
    for (String device : server.devices()) {
      String indexPath = devices.get(device).get("index").asText();
      byte[] indexBytes = ok(indexPath);
      verify(indexBytes, ok(indexPath + ".asc"), server.signingPublicKey());
      JsonNode index = JSON.readTree(indexBytes);
      assertThat(index.at("/global/generated_at").asText()).contains("UTC");
      int fulls = 0;
      for (JsonNode image : index.get("images")) {
        assertThat(image.get("version").isInt()).isTrue();
        if (image.get("type").asText().equals("delta")) {
          assertThat(image.get("base").asInt()).isLessThan(image.get("version").asInt());
        } else {
          fulls++;
        }
        for (JsonNode f : image.get("files")) {
          byte[] body = ok(f.get("path").asText());
          assertThat(body.length).isEqualTo(f.get("size").asInt());
          assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)))
              .isEqualTo(f.get("checksum").asText());
          verify(body, ok(f.get("signature").asText()), server.signingPublicKey());
        }
      }
      assertThat(fulls).isEqualTo(2);
    }
    assertThat(ok("/gpg/image-signing.tar.xz")).isNotEmpty();
    verify(ok("/gpg/image-master.tar.xz"), ok("/gpg/image-master.tar.xz.asc"), server.archiveMasterPublicKey());
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
  }

  @Test
  void injectsFaultsByPrefix() throws Exception {
    String rootfs = server.rootfsPath("FP4");
    byte[] good = ok(rootfs);

    server.fail("ubports", FakeSystemImageServer.Fault.CHECKSUM_MISMATCH);
    byte[] bad = ok(rootfs);
    assertThat(bad).hasSameSizeAs(good).isNotEqualTo(good);

    server.clearFaults().fail("ubports", FakeSystemImageServer.Fault.NOT_FOUND);
    assertThat(get(rootfs).statusCode()).isEqualTo(404);
    assertThat(get(rootfs + ".asc").statusCode()).isEqualTo(200);

    server.clearFaults().fail("ubports", FakeSystemImageServer.Fault.TRUNCATED);
    assertThatThrownBy(() -> get(rootfs)).isInstanceOf(IOException.class);

    server.clearFaults().slowBytesPerSecond(good.length * 2L).fail("ubports", FakeSystemImageServer.Fault.SLOW);
    assertThat(ok(rootfs)).isEqualTo(good);
    assertThat(server.requestCount(rootfs)).isEqualTo(5);
  }

  @Test
  void theStandaloneMainServesTheDemoChannelAndWritesItsKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    try (FakeServers servers = FakeServers.start(new String[] {"--output", dir.toString()},
        new java.io.PrintStream(printed, true, StandardCharsets.UTF_8))) {
      String text = printed.toString(StandardCharsets.UTF_8);
      String base = text.lines().filter(l -> l.startsWith("system-image.server: ")).findFirst()
          .orElseThrow().substring("system-image.server: ".length());
      assertThat(text).contains("system-image.channel: " + FakeSystemImageServer.DEFAULT_CHANNEL,
          "system-image.devices: FP4,bacon", "systemimage.keyring: " + dir.resolve("system-image-signing.asc"));
      HttpResponse<byte[]> channels = http.send(HttpRequest.newBuilder(URI.create(base + "/channels.json")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      HttpResponse<byte[]> asc = http.send(HttpRequest.newBuilder(URI.create(base + "/channels.json.asc")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      verify(channels.body(), asc.body(), java.nio.file.Files.readString(dir.resolve("system-image-signing.asc")));
    }
  }

  @Test
  void hostilePathsAreServedInAValidlySignedIndex() throws Exception {
    server.hostilePath("FP4", "device", "/pool/../../etc/passwd");
    String indexPath = "/" + server.channel() + "/FP4/index.json";
    byte[] index = ok(indexPath);
    verify(index, ok(indexPath + ".asc"), server.signingPublicKey());
    assertThat(new String(index, StandardCharsets.UTF_8)).contains("/pool/../../etc/passwd");
  }
}
