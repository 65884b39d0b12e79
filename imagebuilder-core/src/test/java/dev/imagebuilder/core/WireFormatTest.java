package dev.imagebuilder.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.CloudDestination;
import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.PackageSpec;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;
import dev.imagebuilder.api.TouchImageRequest;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Valid documents both ways: DESIGN section 5's example, the older form, aliases and series. */
class WireFormatTest {

  /** DESIGN section 5, verbatim but for the elided image URL. */
  static final String DESIGN_EXAMPLE = """
      [
        {"image_type": "cloud", "image": "https://cloud-images.ubuntu.com/jammy/current/jammy-server-cloudimg-amd64.img",
         "ppa_list": ["ppa:owner/name"], "package_list": ["hello"], "series": "jammy",
         "trigger": "progress-queue-name"},
        {"image_type": "touch", "system-image-server": "https://system-image.example.org",
         "system-image-channel": "20.04/arm64/android9plus/stable", "devices": ["FP4"],
         "ppa_list": [], "package_list": ["foo"], "series": "focal", "trigger": "q2"},
        {"image_type": "oci", "images": ["redis"], "series": ["22.04"], "architectures": ["amd64"],
         "auto_retry_uploads": 3, "trigger": "q3"}
      ]
      """;

  /** The msg00829 body: one bare object, no image_type, always a cloud image. */
  static final String OLD_FORM = """
      {"image": "http://cloud-images.ubuntu.com/trusty/current/trusty-server-cloudimg-amd64-disk1.img",
       "ppa_list": ["ppa:project/ppaname"], "package_list": ["libfoo", "baz-utils"],
       "series": "trusty", "trigger": "testbuild-1-imagebuilder"}
      """;

  @Test
  void designExampleParsesToEveryField() {
    List<ImageRequest> requests = WireFormat.parse(DESIGN_EXAMPLE);

    assertThat(requests).hasSize(3);
    CloudImageRequest cloud = (CloudImageRequest) requests.get(0);
    assertThat(cloud.imageType()).isEqualTo("cloud");
    assertThat(cloud.image()).isEqualTo(URI.create(
        "https://cloud-images.ubuntu.com/jammy/current/jammy-server-cloudimg-amd64.img"));
    assertThat(cloud.ppas()).containsExactly(new Ppa("owner", "ubuntu", "name"));
    assertThat(cloud.packages()).containsExactly(new PackageSpec("hello", null));
    assertThat(cloud.series().codename()).contains("jammy");
    assertThat(cloud.series().version()).contains("22.04");
    assertThat(cloud.trigger()).isEqualTo("progress-queue-name");

    TouchImageRequest touch = (TouchImageRequest) requests.get(1);
    assertThat(touch.systemImageServer()).isEqualTo(URI.create("https://system-image.example.org"));
    assertThat(touch.channel()).isEqualTo("20.04/arm64/android9plus/stable");
    assertThat(touch.devices()).containsExactly("FP4");
    assertThat(touch.ppas()).isEmpty();
    assertThat(touch.packages()).containsExactly(new PackageSpec("foo", null));
    assertThat(touch.series()).isEqualTo(Series.of("20.04"));
    assertThat(touch.targetChannel()).isNull();
    assertThat(touch.trigger()).isEqualTo("q2");

    OciImageRequest oci = (OciImageRequest) requests.get(2);
    assertThat(oci.images()).containsExactly("redis");
    assertThat(oci.series()).containsExactly(Series.of("jammy"));
    assertThat(oci.architectures()).containsExactly(Architecture.AMD64);
    assertThat(oci.autoRetryUploads()).isEqualTo(3);
    assertThat(oci.trigger()).isEqualTo("q3");
  }

  @Test
  void designExampleIsBuiltByTheBuildersAndWrittenBack() {
    List<ImageRequest> expected = List.of(
        ImageRequest.cloud()
            .image("https://cloud-images.ubuntu.com/jammy/current/jammy-server-cloudimg-amd64.img")
            .ppas("ppa:owner/name").packages("hello").series("jammy")
            .trigger("progress-queue-name").build(),
        ImageRequest.touch().systemImageServer("https://system-image.example.org")
            .channel("20.04/arm64/android9plus/stable").devices("FP4").packages("foo")
            .series("focal").trigger("q2").build(),
        ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64)
            .autoRetryUploads(3).trigger("q3").build());

    assertThat(WireFormat.parse(DESIGN_EXAMPLE)).isEqualTo(expected);
    String written = WireFormat.write(expected);
    assertThat(WireFormat.parse(written)).isEqualTo(expected);
    assertThat(WireFormat.parse(WireFormat.writePretty(expected))).isEqualTo(expected);
    assertThat(WireFormat.writePretty(expected)).contains("\n");
    assertThat(written).doesNotContain("\n");
  }

  @Test
  void writesKeysInAStableOrderWithSeriesAsEachBackendNamesThem() {
    List<ImageRequest> requests = WireFormat.parse(DESIGN_EXAMPLE);

    assertThat(WireFormat.write(requests)).isEqualTo("["
        + "{\"image_type\":\"cloud\",\"image\":\"https://cloud-images.ubuntu.com/jammy/current/"
        + "jammy-server-cloudimg-amd64.img\",\"ppa_list\":[\"ppa:owner/name\"],"
        + "\"package_list\":[\"hello\"],\"series\":\"jammy\",\"trigger\":\"progress-queue-name\"},"
        + "{\"image_type\":\"touch\",\"system-image-server\":\"https://system-image.example.org\","
        + "\"system-image-channel\":\"20.04/arm64/android9plus/stable\",\"devices\":[\"FP4\"],"
        + "\"ppa_list\":[],\"package_list\":[\"foo\"],\"series\":\"focal\",\"trigger\":\"q2\"},"
        + "{\"image_type\":\"oci\",\"images\":[\"redis\"],\"series\":[\"22.04\"],"
        + "\"architectures\":[\"amd64\"],\"auto_retry_uploads\":3,\"trigger\":\"q3\"}]");
  }

  @Test
  void olderFormIsOneCloudRequest() {
    List<ImageRequest> requests = WireFormat.parse(OLD_FORM);

    assertThat(requests).singleElement().isInstanceOf(CloudImageRequest.class);
    CloudImageRequest cloud = (CloudImageRequest) requests.get(0);
    assertThat(cloud.image().getHost()).isEqualTo("cloud-images.ubuntu.com");
    assertThat(cloud.ppas()).containsExactly(Ppa.of("ppa:project/ppaname"));
    assertThat(cloud.packages()).extracting(PackageSpec::name).containsExactly("libfoo", "baz-utils");
    assertThat(cloud.series().version()).contains("14.04");
    assertThat(cloud.trigger()).isEqualTo("testbuild-1-imagebuilder");

    String written = WireFormat.write(requests);
    assertThat(written).startsWith("[{\"image_type\":\"cloud\",");
    assertThat(WireFormat.parse(written)).isEqualTo(requests);
  }

  @Test
  void bareObjectWithImageTypeIsOneRequestOfThatType() {
    List<ImageRequest> requests = WireFormat.parse("{\"image_type\": \"oci\", \"images\": [\"redis\"]}");

    assertThat(requests).containsExactly(ImageRequest.oci().images("redis").build());
  }

  @Test
  void progressTriggerIsAnotherNameForTrigger() {
    ImageRequest aliased = WireFormat.parseOne("""
        {"image_type": "oci", "progress_trigger": "progress-q"}""");
    ImageRequest both = WireFormat.parseOne("""
        {"image_type": "oci", "trigger": "progress-q", "progress_trigger": "progress-q"}""");

    assertThat(aliased.trigger()).isEqualTo("progress-q");
    assertThat(both).isEqualTo(aliased);
    assertThat(WireFormat.writeOne(aliased)).contains("\"trigger\":\"progress-q\"")
        .doesNotContain("progress_trigger");
  }

  @Test
  void seriesAreAcceptedByCodenameOrVersion() {
    String byCodename = """
        [{"image_type": "cloud", "image": "https://example.org/a.img", "series": "noble"},
         {"image_type": "touch", "system-image-server": "https://si.example.org",
          "system-image-channel": "stable", "series": "focal"},
         {"image_type": "oci", "series": ["jammy", "noble"]}]""";
    String byVersion = """
        [{"image_type": "cloud", "image": "https://example.org/a.img", "series": "24.04"},
         {"image_type": "touch", "system-image-server": "https://si.example.org",
          "system-image-channel": "stable", "series": "20.04"},
         {"image_type": "oci", "series": ["22.04", "24.04"]}]""";

    List<ImageRequest> requests = WireFormat.parse(byCodename);

    assertThat(WireFormat.parse(byVersion)).isEqualTo(requests);
    assertThat(((OciImageRequest) requests.get(2)).series())
        .extracting(Series::versionOrCodename).containsExactly("22.04", "24.04");
    String written = WireFormat.write(requests);
    assertThat(written).contains("\"series\":\"noble\"", "\"series\":\"focal\"",
        "\"series\":[\"22.04\",\"24.04\"]");
    assertThat(WireFormat.parse(written)).isEqualTo(requests);
  }

  @Test
  void seriesKnownOnlyOneWayIsWrittenTheWayItIsKnown() {
    List<ImageRequest> requests = WireFormat.parse("""
        [{"image_type": "cloud", "image": "https://example.org/a.img", "series": "30.04"},
         {"image_type": "oci", "series": ["zebulon"]}]""");

    String written = WireFormat.write(requests);

    assertThat(written).contains("\"series\":\"30.04\"", "\"series\":[\"zebulon\"]");
    assertThat(WireFormat.parse(written)).isEqualTo(requests);
  }

  @Test
  void ociSeriesMayBeOneString() {
    assertThat(WireFormat.parseOne("{\"image_type\": \"oci\", \"series\": \"22.04\"}"))
        .isEqualTo(ImageRequest.oci().series("22.04").build());
  }

  @Test
  void listsMayBeAbsentEmptyOrNullAndOptionalValuesNull() {
    String absent = """
        {"image_type": "touch", "system-image-server": "https://si.example.org",
         "system-image-channel": "stable", "series": "focal"}""";
    String empty = """
        {"image_type": "touch", "system-image-server": "https://si.example.org",
         "system-image-channel": "stable", "series": "focal", "devices": [], "ppa_list": [],
         "package_list": []}""";
    String nulls = """
        {"image_type": "touch", "system-image-server": "https://si.example.org",
         "system-image-channel": "stable", "series": "focal", "devices": null, "ppa_list": null,
         "package_list": null, "target-channel": null, "trigger": null, "progress_trigger": null}""";

    TouchImageRequest request = (TouchImageRequest) WireFormat.parseOne(absent);

    assertThat(request.devices()).isEmpty();
    assertThat(request.ppas()).isEmpty();
    assertThat(request.packages()).isEmpty();
    assertThat(request.trigger()).isNull();
    assertThat(WireFormat.parseOne(empty)).isEqualTo(request);
    assertThat(WireFormat.parseOne(nulls)).isEqualTo(request);
    assertThat(WireFormat.writeOne(request)).doesNotContain("trigger", "target-channel");
  }

  @Test
  void ociDefaultsMeanEverything() {
    OciImageRequest request = (OciImageRequest) WireFormat.parseOne("{\"image_type\": \"oci\"}");

    assertThat(request.images()).isEmpty();
    assertThat(request.series()).isEmpty();
    assertThat(request.architectures()).isEmpty();
    assertThat(request.autoRetryUploads()).isZero();
    assertThat(WireFormat.writeOne(request)).isEqualTo("{\"image_type\":\"oci\",\"images\":[],"
        + "\"series\":[],\"architectures\":[],\"auto_retry_uploads\":0}");
  }

  @Test
  void touchTargetChannelRoundTrips() {
    TouchImageRequest request = ImageRequest.touch().systemImageServer("https://si.example.org")
        .channel("20.04/arm64/android9plus/stable").devices("FP4", "FP3").series("20.04")
        .ppas("owner/debian/name").packages("foo=1:2.3-1").targetChannel("custom/stable")
        .trigger("q").build();

    String json = WireFormat.writeOne(request);

    assertThat(json).contains("\"target-channel\":\"custom/stable\"",
        "\"ppa_list\":[\"owner/debian/name\"]", "\"package_list\":[\"foo=1:2.3-1\"]");
    assertThat(WireFormat.parseOne(json)).isEqualTo(request);
    assertThat(WireFormat.parse(json)).containsExactly(request);
  }

  @Test
  void writeOneIsABareObjectAndParseOneAcceptsAListOfOne() {
    ImageRequest request = ImageRequest.oci().images("redis").build();

    assertThat(WireFormat.writeOne(request)).startsWith("{");
    assertThat(WireFormat.parseOne(WireFormat.writeOne(request))).isEqualTo(request);
    assertThat(WireFormat.parseOne(WireFormat.write(List.of(request)))).isEqualTo(request);
  }

  @Test
  void parseOneRefusesAnyOtherNumberOfRequests() {
    String two = WireFormat.write(List.of(ImageRequest.oci().build(), ImageRequest.oci().build()));

    assertThatThrownBy(() -> WireFormat.parseOne(two))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("json"))
        .hasMessageContaining("exactly one image request, got 2");
    assertThatThrownBy(() -> WireFormat.parseOne("[]"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("got 0");
  }

  @Test
  void emptyListIsNoRequests() {
    assertThat(WireFormat.parse(" [ ] ")).isEmpty();
    assertThat(WireFormat.write(List.of())).isEqualTo("[]");
  }

  @Test
  void recordsBuiltDirectlyRoundTripWithTheirDuplicateElements() {
    Series jammy = Series.of("jammy");
    List<ImageRequest> requests = List.of(
        new OciImageRequest(List.of("redis"), List.of(jammy, Series.of("22.04")),
            List.of(Architecture.AMD64, Architecture.AMD64), 0, null),
        new CloudImageRequest(URI.create("file:///srv/base.img"), jammy,
            List.of(Ppa.of("aa/bb"), Ppa.of("ppa:aa/bb")),
            List.of(PackageSpec.of("hello"), PackageSpec.of("hello")), null));

    assertThat(WireFormat.parse(WireFormat.write(requests))).isEqualTo(requests);
  }

  @Test
  void valuesAreStrippedAsTheBuildersStripThem() {
    ImageRequest parsed = WireFormat.parseOne("""
        {"image": " https://example.org/a.img ", "series": " Jammy ",
         "ppa_list": [" ppa:owner/name "], "package_list": [" hello "]}""");

    assertThat(parsed).isEqualTo(ImageRequest.cloud().image("https://example.org/a.img")
        .series("jammy").ppas("ppa:owner/name").packages("hello").build());
  }

  @Test
  void cloudDestinationIsFileByDefaultAndWrittenOnlyWhenGlance() {
    ImageRequest file = WireFormat.parseOne("""
        {"image": "https://example.org/a.img", "series": "jammy"}""");
    ImageRequest glance = WireFormat.parseOne("""
        {"image": "https://example.org/a.img", "series": "jammy", "destination": "glance:ci"}""");

    assertThat(((CloudImageRequest) file).destination()).isEqualTo(CloudDestination.FILE);
    assertThat(WireFormat.writeOne(file)).doesNotContain("destination");
    assertThat(((CloudImageRequest) glance).destination().cloud()).contains("ci");
    assertThat(WireFormat.writeOne(glance)).contains("\"series\":\"jammy\",\"destination\":\"glance:ci\"");
    assertThat(WireFormat.parseOne(WireFormat.writeOne(glance))).isEqualTo(glance);
    assertThat(glance).isEqualTo(ImageRequest.cloud().image("https://example.org/a.img")
        .series("jammy").destination(CloudDestination.glance("ci")).build());
    assertThat(WireFormat.parseOne("""
        {"image": "https://example.org/a.img", "series": "jammy", "destination": "glance"}"""))
        .isEqualTo(ImageRequest.cloud().image("https://example.org/a.img").series("jammy")
            .destination("glance").build());
  }

  @Test
  void aBadDestinationIsNamedWithItsValue() {
    assertThatThrownBy(() -> WireFormat.parse("""
        [{"image_type": "cloud", "image": "https://example.org/a.img", "series": "jammy",
          "destination": "swift"}]"""))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("[0].destination").hasMessageContaining("'swift'")
        .hasMessageContaining("file, glance or glance:NAME");
    assertThatThrownBy(() -> WireFormat.parseOne("""
        {"image": "https://example.org/a.img", "series": "jammy", "destination": "glance:"}"""))
        .hasMessageContaining("destination").hasMessageContaining("does not name a cloud");
    assertThatThrownBy(() -> WireFormat.parseOne("""
        {"image": "https://example.org/a.img", "series": "jammy", "destination": 3}"""))
        .hasMessageContaining("destination");
    assertThatThrownBy(() -> WireFormat.parseOne("""
        {"image_type": "touch", "system-image-server": "https://x.org", "system-image-channel": "c",
         "series": "focal", "destination": "glance"}"""))
        .hasMessageContaining("'destination' is not a key of touch requests");
  }

  @Test
  void writeRefusesNull() {
    assertThatThrownBy(() -> WireFormat.write(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> WireFormat.writeOne(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> WireFormat.parse(null)).isInstanceOf(NullPointerException.class);
  }
}
