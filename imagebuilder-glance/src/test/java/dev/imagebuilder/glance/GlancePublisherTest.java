package dev.imagebuilder.glance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.glance.internal.CloudConfigReader;
import dev.imagebuilder.glance.internal.GlanceImages;
import dev.imagebuilder.glance.internal.GlanceUpload;
import dev.imagebuilder.glance.internal.KeystoneSession;
import dev.imagebuilder.glance.internal.OpenStackCloud;
import dev.imagebuilder.testkit.FakeOpenStack;
import dev.imagebuilder.testkit.PlainHttpService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing through Keystone and Glance as a loopback fake speaks them: the happy paths for
 * both credentials and both import methods, and every failure, after which no image is left.
 */
class GlancePublisherTest {
  @TempDir Path tmp;
  FakeOpenStack cloud;
  final Map<String, String> env = new HashMap<>();
  final List<Duration> pauses = new CopyOnWriteArrayList<>();
  final List<String> log = new CopyOnWriteArrayList<>();
  final PublishListener listener = new PublishListener() {
    @Override
    public void log(String line) {
      log.add(line);
    }
  };
  Path file;
  byte[] bytes;
  static final ImageSpec SPEC = new ImageSpec("jammy-custom", "qcow2", "bare", "private",
      Map.of("imagebuilder_build_id", "b-1", "imagebuilder_series", "jammy"));

  @BeforeEach
  void setUp() throws Exception {
    cloud = FakeOpenStack.start();
    bytes = new byte[1 << 20];
    new Random(7).nextBytes(bytes);
    file = Files.write(tmp.resolve("disk.qcow2"), bytes);
    env.put("HOME", tmp.resolve("home").toString());
    Files.writeString(tmp.resolve("clouds.yaml"), """
        clouds:
          ci:
            auth:
              auth_url: %s
              username: ci
              password: s3cret-pw
              project_name: images
              user_domain_name: Default
              project_domain_name: Default
            region_name: RegionOne
            interface: public
            identity_api_version: 3
          appcred:
            auth_type: v3applicationcredential
            auth:
              auth_url: %s
              application_credential_id: ac-1
              application_credential_secret: ac-s3cret
          wrong:
            auth:
              auth_url: %s
              username: ci
              password: not-the-password
              project_name: images
        """.formatted(cloud.authUrl(), cloud.authUrl(), cloud.authUrl()));
    env.put("OS_CLIENT_CONFIG_FILE", tmp.resolve("clouds.yaml").toString());
  }

  @AfterEach
  void tearDown() {
    cloud.close();
  }

  GlancePublisher publisher(Optional<String> name, ImportMethod method) {
    OpenStackCloud config = new CloudConfigReader("destination", env::get, tmp.resolve("cwd"),
        tmp.resolve("etc")).read(name);
    KeystoneSession session = new KeystoneSession(new PlainHttpService(), config, Clock.systemUTC());
    GlanceUpload upload = new GlanceUpload(new GlanceImages(new PlainHttpService(), session),
        config.name(), method, Duration.ofMinutes(1), Duration.ofMinutes(5), Clock.systemUTC(),
        pauses::add);
    return new GlancePublisher(upload, config.name());
  }

  PublishedImage publish(String name) {
    return publisher(Optional.of(name), ImportMethod.UPLOAD).publish(file, SPEC, listener, () -> false);
  }

  @Test
  void uploadsWithAContentLengthAndVerifiesSizeAndSha512() throws Exception {
    PublishedImage image = publish("ci");

    assertThat(image.cloud()).isEqualTo("ci");
    assertThat(image.size()).isEqualTo(bytes.length);
    assertThat(image.osHashAlgo()).isEqualTo("sha512");
    assertThat(image.osHashValue()).isEqualTo(sha512(bytes));
    assertThat(image.link().toString()).isEqualTo(cloud.glanceUrl() + "v2/images/" + image.id());
    assertThat(cloud.imageData(image.id())).contains(bytes);
    Map<String, String> headers = cloud.uploadHeaders().get(0);
    assertThat(headers).containsEntry("Content-Length", Integer.toString(bytes.length))
        .doesNotContainKey("Transfer-Encoding");
    assertThat(headers.get("Expect")).isEqualToIgnoringCase("100-continue");
    assertThat(cloud.image(image.id()).orElseThrow())
        .containsEntry("disk_format", "qcow2")
        .containsEntry("container_format", "bare")
        .containsEntry("visibility", "private")
        .containsEntry("imagebuilder_build_id", "b-1")
        .containsEntry("status", "active");
    JsonNode auth = authRequest(0).path("auth");
    assertThat(auth.path("scope").path("project").path("name").asText()).isEqualTo("images");
    assertThat(auth.path("identity").path("password").path("user").path("domain").path("name").asText())
        .isEqualTo("Default");
    assertThat(cloud.deletedIds()).isEmpty();
  }

  @Test
  void anApplicationCredentialAuthenticatesWithoutAScope() throws Exception {
    PublishedImage image = publish("appcred");

    assertThat(cloud.imageIds()).contains(image.id());
    JsonNode auth = authRequest(0).path("auth");
    assertThat(auth.has("scope")).isFalse();
    assertThat(auth.path("identity").path("methods").path(0).asText()).isEqualTo("application_credential");
  }

  @Test
  void theOsVariablesFormTheCloudEnvvarsWhenNoCloudIsNamed() {
    env.remove("OS_CLIENT_CONFIG_FILE");
    env.put("OS_AUTH_URL", cloud.base() + "/identity");
    env.put("OS_USERNAME", "ci");
    env.put("OS_PASSWORD", "s3cret-pw");
    env.put("OS_PROJECT_NAME", "images");
    env.put("OS_REGION_NAME", "RegionOne");

    PublishedImage image = publisher(Optional.empty(), ImportMethod.UPLOAD)
        .publish(file, SPEC, listener, () -> false);

    assertThat(image.cloud()).isEqualTo("envvars");
    assertThat(cloud.calls()).contains("POST /identity/v3/auth/tokens");
  }

  @Test
  void osCloudChoosesTheEntryWhenTheRequestNamesNone() {
    env.put("OS_CLOUD", "appcred");

    PublishedImage image = publisher(Optional.empty(), ImportMethod.UPLOAD)
        .publish(file, SPEC, listener, () -> false);

    assertThat(image.cloud()).isEqualTo("appcred");
  }

  @Test
  void glanceDirectStagesImportsAndWaitsForActive() throws Exception {
    cloud.importPolls(2);

    PublishedImage image = publisher(Optional.of("ci"), ImportMethod.GLANCE_DIRECT)
        .publish(file, SPEC, listener, () -> false);

    assertThat(cloud.calls()).contains("PUT /image/v2/images/" + image.id() + "/stage",
        "POST /image/v2/images/" + image.id() + "/import");
    assertThat(cloud.calls()).doesNotContain("PUT /image/v2/images/" + image.id() + "/file");
    assertThat(pauses).hasSize(2).allSatisfy(p -> assertThat(p).isPositive());
    assertThat(image.osHashValue()).isEqualTo(sha512(bytes));
  }

  @Test
  void aFailedGlanceDirectImportDeletesTheImage() {
    cloud.importFault(FakeOpenStack.ImportFault.FAILS);

    Throwable thrown = catchThrowable(() -> publisher(Optional.of("ci"), ImportMethod.GLANCE_DIRECT)
        .publish(file, SPEC, listener, () -> false));

    assertThat(thrown).hasMessageContaining("os_glance_failed_import");
    assertNothingLeft();
  }

  @Test
  void keystone401IsAnAuthenticationErrorWithoutThePasswordAndCreatesNothing() {
    Throwable thrown = catchThrowable(() -> publish("wrong"));

    assertThat(thrown).isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("401").hasMessageContaining("wrong")
        .hasMessageNotContaining("not-the-password");
    assertThat(cloud.calls()).noneMatch(c -> c.startsWith("POST /image"));
  }

  @Test
  void glance409OnUploadFailsAndDeletesTheImage() {
    cloud.uploadFault(FakeOpenStack.UploadFault.CONFLICT_409);

    Throwable thrown = catchThrowable(() -> publish("ci"));

    assertThat(thrown).isInstanceOf(RemoteServiceException.class).hasMessageContaining("409");
    assertThat(((RemoteServiceException) thrown).status()).isEqualTo(409);
    assertNothingLeft();
  }

  @Test
  void glance413SaysTheImageIsTooLargeAndDeletesIt() {
    cloud.uploadFault(FakeOpenStack.UploadFault.TOO_LARGE_413);

    Throwable thrown = catchThrowable(() -> publish("ci"));

    assertThat(thrown).isInstanceOf(RemoteServiceException.class)
        .hasMessageContaining("413").hasMessageContaining("larger than the cloud accepts");
    assertNothingLeft();
  }

  @Test
  void a500InTheMiddleOfTheUploadAbortsItAndDeletesTheImage() {
    cloud.uploadFault(FakeOpenStack.UploadFault.SERVER_ERROR_MID_UPLOAD);

    Throwable thrown = catchThrowable(() -> publish("ci"));

    assertThat(thrown).isInstanceOf(RemoteServiceException.class);
    assertThat(cloud.bytesReceived()).isLessThan(bytes.length);
    assertNothingLeft();
  }

  @Test
  void aHashThatDiffersFromTheFileIsAnIntegrityErrorAndTheImageIsDeleted() {
    cloud.uploadFault(FakeOpenStack.UploadFault.CORRUPT);

    Throwable thrown = catchThrowable(() -> publish("ci"));

    assertThat(thrown).isInstanceOf(IntegrityException.class).hasMessageContaining("sha512");
    assertNothingLeft();
  }

  @Test
  void anImageLeftQueuedAfterItsUploadIsNotTakenForPublished() {
    cloud.uploadFault(FakeOpenStack.UploadFault.STAYS_QUEUED);

    assertThatThrownBy(() -> publish("ci")).hasMessageContaining("queued");
    assertNothingLeft();
  }

  @Test
  void cancellingDuringTheUploadStopsItAndDeletesTheImage() {
    AtomicBoolean cancelled = new AtomicBoolean();
    PublishListener cancelHalfway = new PublishListener() {
      @Override
      public void uploaded(long sent, long total) {
        if (sent >= total / 2) {
          cancelled.set(true);
        }
      }
    };

    Throwable thrown = catchThrowable(() -> publisher(Optional.of("ci"), ImportMethod.UPLOAD)
        .publish(file, SPEC, cancelHalfway, cancelled::get));

    assertThat(thrown).isInstanceOf(CancellationException.class);
    assertNothingLeft();
  }

  @Test
  void aRevokedTokenIsRenewedOnceAndTheCallRepeated() {
    GlancePublisher publisher = publisher(Optional.of("ci"), ImportMethod.UPLOAD);
    publisher.publish(file, SPEC, listener, () -> false);
    cloud.revokeTokens();

    PublishedImage second = publisher.publish(file, SPEC, listener, () -> false);

    assertThat(cloud.imageIds()).contains(second.id());
    assertThat(cloud.authRequests()).hasSize(2);
  }

  @Test
  void theEndpointIsChosenByInterfaceAndRegion() throws Exception {
    cloud.regions(List.of("RegionOne", "RegionTwo"));
    env.put("OS_CLIENT_CONFIG_FILE", write("""
        clouds:
          two:
            auth: {auth_url: %s, username: ci, password: s3cret-pw, project_name: images}
            region_name: RegionTwo
            interface: internal
          any:
            auth: {auth_url: %s, username: ci, password: s3cret-pw, project_name: images}
        """.formatted(cloud.authUrl(), cloud.authUrl())));

    Throwable thrown = catchThrowable(() -> publish("two"));
    assertThat(cloud.calls()).contains("POST /internal-image-RegionTwo/v2/images");
    assertThat(thrown).isInstanceOf(RemoteServiceException.class);

    assertThatThrownBy(() -> publish("any")).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("region_name").hasMessageContaining("RegionOne, RegionTwo");
  }

  @Test
  void secureYamlSuppliesTheSecretsOfCloudsYaml() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("home/.config/openstack"));
    Files.writeString(dir.resolve("clouds.yaml"), """
        clouds:
          split:
            auth: {auth_url: %s, username: ci, project_name: images}
        """.formatted(cloud.authUrl()));
    Files.writeString(dir.resolve("secure.yaml"), """
        clouds:
          split:
            auth: {password: s3cret-pw}
        """);
    env.remove("OS_CLIENT_CONFIG_FILE");

    assertThat(publish("split").cloud()).isEqualTo("split");
  }

  @Test
  void configurationErrorsNameTheKeyAndNeverTheSecret() throws Exception {
    env.put("OS_CLIENT_CONFIG_FILE", write("""
        clouds:
          nopw:
            auth: {auth_url: %s, username: ci, project_name: images}
          badurl:
            auth: {auth_url: "ftp://ci:hunter2@x", username: ci, password: hunter2, project_name: p}
          nocatalogscope:
            auth: {auth_url: %s, username: ci, password: hunter2}
          profiled:
            profile: vexxhost
            auth: {username: ci, password: hunter2}
          insecure:
            verify: false
            auth: {auth_url: %s, username: ci, password: hunter2, project_name: p}
        """.formatted(cloud.authUrl(), cloud.authUrl(), cloud.authUrl())));

    assertThatThrownBy(() -> publish("nopw")).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("clouds.nopw.auth.password");
    assertThatThrownBy(() -> publish("badurl")).hasMessageContaining("clouds.badurl.auth.auth_url")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> publish("nocatalogscope")).hasMessageContaining("project_name");
    assertThatThrownBy(() -> publish("profiled")).hasMessageContaining("profile");
    assertThatThrownBy(() -> publish("insecure")).hasMessageContaining("verify");
    assertThatThrownBy(() -> publish("missing")).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'missing'").hasMessageContaining("nopw, badurl");
    env.remove("OS_CLIENT_CONFIG_FILE");
    assertThatThrownBy(() -> publisher(Optional.empty(), ImportMethod.UPLOAD))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("OS_CLOUD");
    env.put("OS_CLIENT_CONFIG_FILE", tmp.resolve("nowhere.yaml").toString());
    assertThatThrownBy(() -> publish("ci")).hasMessageContaining("OS_CLIENT_CONFIG_FILE");
    assertThat(cloud.calls()).isEmpty();
  }

  @Test
  void theCloudsToStringShowsNoSecret() {
    OpenStackCloud config = new CloudConfigReader("destination", env::get, tmp, tmp).read(Optional.of("ci"));
    OpenStackCloud app = new CloudConfigReader("destination", env::get, tmp, tmp).read(Optional.of("appcred"));

    assertThat(config.toString()).contains("ci").doesNotContain("s3cret-pw");
    assertThat(app.toString()).contains("ac-1").doesNotContain("ac-s3cret");
  }

  @Test
  void badImageSpecsNameTheField() {
    assertThatThrownBy(() -> new ImageSpec("x", "qcow3", "bare", "private", Map.of()))
        .hasMessageContaining("disk_format").hasMessageContaining("qcow3");
    assertThatThrownBy(() -> new ImageSpec("x", "qcow2", "bare", "everyone", Map.of()))
        .hasMessageContaining("visibility");
    assertThatThrownBy(() -> new ImageSpec("x", "qcow2", "bare", "private", Map.of("size", "1")))
        .hasMessageContaining("properties.size");
    assertThatThrownBy(() -> new ImageSpec(" ", "qcow2", "bare", "private", Map.of()))
        .hasMessageContaining("name");
  }

  private String write(String yaml) throws Exception {
    return Files.writeString(tmp.resolve("clouds-" + System.nanoTime() + ".yaml"), yaml).toString();
  }

  private JsonNode authRequest(int index) throws Exception {
    return new ObjectMapper().readTree(cloud.authRequests().get(index));
  }

  static String sha512(byte[] data) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-512").digest(data));
  }

  private void assertNothingLeft() {
    assertThat(cloud.imageIds()).as("images left in Glance").isEmpty();
    assertThat(cloud.deletedIds()).hasSize(1);
  }
}
