package dev.imagebuilder.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.imagebuilder.api.InvalidRequestException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad document, each reported under its exact field path with the bad value. */
class WireFormatRejectionTest {
  private static final String CLOUD =
      "\"image_type\": \"cloud\", \"image\": \"https://example.org/a.img\", \"series\": \"jammy\"";
  private static final String TOUCH = "\"image_type\": \"touch\", "
      + "\"system-image-server\": \"https://si.example.org\", \"system-image-channel\": \"stable\","
      + " \"series\": \"focal\"";
  private static final String OCI = "\"image_type\": \"oci\"";

  static Stream<Arguments> badItems() {
    return Stream.of(
        // image_type
        bad("[{\"image_type\": \"vm\"}]", "[0].image_type", "'vm' is not an image type"),
        bad("[{\"image_type\": \"Cloud\"}]", "[0].image_type", "'Cloud' is not an image type"),
        bad("[{\"image\": \"https://example.org/a.img\", \"series\": \"jammy\"}]",
            "[0].image_type", "is required"),
        bad("[{\"image_type\": 1}]", "[0].image_type", "expected a string, got the number 1"),
        // unknown keys, per type
        bad("{" + CLOUD + ", \"colour\": \"red\"}", "[0].colour",
            "'colour' is not a key of cloud requests"),
        bad("{\"image\": \"https://example.org/a.img\", \"series\": \"jammy\", \"Series\": \"x\"}",
            "[0].Series", "'Series' is not a key of cloud requests"),
        bad("[{" + CLOUD + ", \"images\": []}]", "[0].images", "not a key of cloud requests"),
        bad("[{" + CLOUD + ", \"target-channel\": \"x\"}]", "[0].target-channel",
            "not a key of cloud requests"),
        bad("[{" + TOUCH + ", \"image\": \"https://example.org/a.img\"}]", "[0].image",
            "not a key of touch requests"),
        bad("[{" + OCI + ", \"ppa_list\": []}]", "[0].ppa_list", "not a key of oci requests"),
        bad("[{" + OCI + ", \"a\\nb\": 1}]", "[0].a\\u000ab", "not a key of oci requests"),
        // wrong JSON types
        bad("[{" + OCI + ", \"images\": \"redis\"}]", "[0].images",
            "expected a list of strings, got the string 'redis'"),
        bad("[{" + OCI + ", \"images\": [\"redis\", 7]}]", "[0].images[1]",
            "expected a string, got the number 7"),
        bad("[{" + OCI + ", \"images\": [null]}]", "[0].images[0]", "expected a string, got null"),
        bad("[{" + OCI + ", \"series\": [[\"22.04\"]]}]", "[0].series[0]",
            "expected a string, got a list [\"22.04\"]"),
        bad("[{" + OCI + ", \"series\": {\"v\": \"22.04\"}}]", "[0].series",
            "got an object {\"v\":\"22.04\"}"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": \"3\"}]", "[0].auto_retry_uploads",
            "expected a whole number, got the string '3'"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": true}]", "[0].auto_retry_uploads",
            "got the boolean true"),
        bad("[{" + OCI + ", \"trigger\": false}]", "[0].trigger", "got the boolean false"),
        bad("[{" + CLOUD.replace("\"jammy\"", "22.04") + "}]", "[0].series",
            "expected a string, got the number 22.04"),
        bad("[{" + TOUCH + ", \"devices\": {}}]", "[0].devices", "got an object {}"),
        bad("[{" + TOUCH + ", \"package_list\": [\"foo\", [\"bar\"]]}]", "[0].package_list[1]",
            "got a list [\"bar\"]"),
        // bad values, reported under the wire key
        bad("[{" + CLOUD + ", \"ppa_list\": [\"ppa:Bad Name\"]}]", "[0].ppa_list[0]",
            "'ppa:Bad Name' is not a PPA"),
        bad("[{" + TOUCH + ", \"ppa_list\": [\"ppa:owner/ok\", \"ppa:Owner/x\"]}]",
            "[0].ppa_list[1]", "'ppa:Owner/x'"),
        bad("[{" + CLOUD + ", \"package_list\": [\"hello\", \"Hello World\"]}]",
            "[0].package_list[1]", "'Hello World' is not a Debian package name"),
        bad("[{" + CLOUD + ", \"package_list\": [\"hello=\"]}]", "[0].package_list[0]",
            "'hello=' has no valid Debian version"),
        bad("[{" + CLOUD.replace("https://example.org/a.img", "ftp://example.org/a.img") + "}]",
            "[0].image", "'ftp://example.org/a.img' is not an absolute https or http or file URL"),
        bad("[{" + CLOUD.replace("https://example.org/a.img", "not a url") + "}]",
            "[0].image", "'not a url' is not a URL"),
        bad("[{" + CLOUD.replace("https://", "https://user:secret@") + "}]",
            "[0].image", "must not carry user information"),
        bad("[{" + CLOUD.replace("https://", "ftp://user:secret@") + "}]",
            "[0].image", "[0].image: URL must not carry user information"),
        bad("[{" + CLOUD.replace("https://", "https://user:se cret@") + "}]",
            "[0].image", "'https://***@example.org/a.img' is not a URL: Illegal character"),
        bad("[{" + TOUCH.replace("https://si.example.org", "file:///srv/si") + "}]",
            "[0].system-image-server", "'file:///srv/si' is not an absolute https or http URL"),
        bad("[{" + TOUCH.replace("\"stable\"", "\"../etc\"") + "}]", "[0].system-image-channel",
            "'../etc' is not a channel name"),
        bad("[{" + TOUCH + ", \"target-channel\": \"a//b\"}]", "[0].target-channel",
            "'a//b' is not a channel name"),
        bad("[{" + TOUCH + ", \"devices\": [\"FP4\", \"../x\"]}]", "[0].devices[1]",
            "'../x' is not a device name"),
        bad("[{" + OCI + ", \"images\": [\"redis\", \"-bad\"]}]", "[0].images[1]",
            "'-bad' is not an image name"),
        bad("[{" + CLOUD.replace("jammy", "Jammy Jellyfish") + "}]", "[0].series",
            "'Jammy Jellyfish' is not a series"),
        bad("[{" + OCI + ", \"series\": \"22.13\"}]", "[0].series", "'22.13' is not a series"),
        bad("[{" + OCI + ", \"series\": [\"22.04\", \"22.4\"]}]", "[0].series[1]",
            "'22.4' is not a series"),
        bad("[{" + OCI + ", \"architectures\": [\"amd64\", \"sparc\"]}]", "[0].architectures[1]",
            "'sparc' is not a known architecture"),
        bad("[{" + OCI + ", \"trigger\": \"\"}]", "[0].trigger", "'' is not a queue name"),
        bad("[{" + OCI + ", \"progress_trigger\": \"a\\u0007b\"}]", "[0].progress_trigger",
            "is not a queue name"),
        bad("[{" + OCI + ", \"trigger\": \"a\", \"progress_trigger\": \"b\"}]",
            "[0].progress_trigger", "'b' differs from trigger 'a'"),
        // required values
        bad("[{\"image_type\": \"cloud\", \"series\": \"jammy\"}]", "[0].image", "is required"),
        bad("{\"image\": \"https://example.org/a.img\"}", "[0].series", "is required"),
        bad("[{" + TOUCH.replace("\"series\"", "\"devices\": [], \"x-series\"") + "}]",
            "[0].x-series", "not a key of touch requests"),
        bad("[{\"image_type\": \"touch\", \"system-image-channel\": \"stable\", \"series\": \"focal\"}]",
            "[0].system-image-server", "is required"),
        bad("[{\"image_type\": \"touch\", \"system-image-server\": \"https://si.example.org\","
            + " \"system-image-channel\": null, \"series\": \"focal\"}]",
            "[0].system-image-channel", "is required"),
        // numbers
        bad("[{" + OCI + ", \"auto_retry_uploads\": 101}]", "[0].auto_retry_uploads",
            "'101' is out of range (0 to 100)"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": -1}]", "[0].auto_retry_uploads",
            "'-1' is out of range (0 to 100)"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": 4294967299}]", "[0].auto_retry_uploads",
            "'4294967299' is out of range"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": 123456789012345678901234567890}]",
            "[0].auto_retry_uploads", "'123456789012345678901234567890' is out of range"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": 3.0}]", "[0].auto_retry_uploads",
            "expected a whole number, got the number 3.0"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": 1e400}]", "[0].auto_retry_uploads",
            "expected a whole number, got the number 1e400"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": 1E2}]", "[0].auto_retry_uploads",
            "expected a whole number, got the number 1E2"),
        // Regression: BigDecimal refused this exponent with a NumberFormatException.
        bad("[{" + OCI + ", \"ppa_list\": 1E0090000000000000000000000}]", "[0].ppa_list",
            "not a key of oci requests"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": -1.5e-90000000000000000000000}]",
            "[0].auto_retry_uploads", "got the number -1.5e-90000000000000000000000"),
        bad("[{" + OCI + ", \"images\": [1e90000000000000000000000]}]", "[0].images[0]",
            "expected a string, got the number"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": " + "9".repeat(100) + "}]",
            "[0].auto_retry_uploads", "too large or too deep at line 1, column"),
        bad("[{" + OCI + ", \"images\": [\"a\", " + "9".repeat(100) + "]}]",
            "[0].images", "Number value length (100) exceeds"),
        bad("[{" + OCI + ", \"" + "k".repeat(2000) + "\": 1}]", "[0]", "too large or too deep"),
        bad("[{" + OCI + ", \"images\": [\"a\"], \"series\": [], \"images\": [\"a\"]}]",
            "[0].images", "duplicate key 'images' at line 1, column 55"),
        // duplicate keys
        bad("[{" + OCI + ", \"images\": [\"a\"], \"images\": [\"b\"]}]", "[0].images",
            "duplicate key 'images' at line 1, column"),
        bad("{\"image\": \"https://example.org/a.img\", \"series\": \"jammy\", \"series\": \"jammy\"}",
            "[0].series", "duplicate key 'series'"),
        bad("[{" + OCI + "}, {" + OCI + ", \"image_type\": \"oci\"}]", "[1].image_type",
            "duplicate key 'image_type'"),
        // items that are not objects
        bad("[{" + OCI + "}, \"oci\"]", "[1]", "expected an image request object, got the string 'oci'"),
        bad("[null]", "[0]", "expected an image request object, got null"),
        bad("[[{" + OCI + "}]]", "[0]", "got a list"),
        // nesting
        bad("[{" + OCI + ", \"images\": " + "[".repeat(20) + "]".repeat(20) + "}]", "[0].images",
            "too large or too deep at line 1, column 41: Document nesting depth (9) exceeds the"
                + " maximum allowed (8)"));
  }

  static Stream<Arguments> badDocuments() {
    return Stream.of(
        bad("", "json", "the document is empty"),
        bad(" \n\t ", "json", "the document is empty"),
        bad("\"oci\"", "json", "expected a list of image requests or one request object, got the string 'oci'"),
        bad("42", "json", "got the number 42"),
        bad("null", "json", "got null"),
        bad("[{" + OCI + "}] []", "json", "unexpected content after the document at line 1, column 25"),
        bad("{" + OCI + "} x", "json", "malformed JSON at line 1, column"),
        bad("[{" + OCI + "},]", "json", "malformed JSON at line 1"),
        bad("[{" + OCI + ",}]", "json", "malformed JSON at line 1"),
        bad("[{" + OCI + "}", "json", "malformed JSON"),
        bad("[\n  {" + OCI + "\n   \"images\": []}]", "json", "malformed JSON at line 3, column 4"),
        bad("[{'image_type': 'oci'}]", "json", "malformed JSON at line 1, column 3"),
        bad("[{" + OCI + ", \"images\": [\"a\u0001b\"]}]", "json", "malformed JSON"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": 03}]", "json", "malformed JSON"),
        bad("[{" + OCI + ", \"auto_retry_uploads\": NaN}]", "json", "malformed JSON"),
        bad("[".repeat(50) + "]".repeat(50), "json", "too large or too deep"));
  }

  private static Arguments bad(String json, String field, String message) {
    return Arguments.of(json, field, message);
  }

  @ParameterizedTest(name = "[{index}] {1}: {2}")
  @MethodSource({"badItems", "badDocuments"})
  void rejectsWithTheFieldPathAndTheValue(String json, String field, String message) {
    InvalidRequestException e =
        catchThrowableOfType(InvalidRequestException.class, () -> WireFormat.parse(json));

    assertThat(e).as("parse(%s)", json).isNotNull();
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage()).startsWith(field + ": ").contains(message)
        .doesNotContain("secret", "se cret");
  }

  @Test
  void theBriefsExampleReadsExactly() {
    String json = "[{" + OCI + "}, {" + CLOUD + ", \"ppa_list\": [\"ppa:Bad Name\"]}]";

    assertThatThrownBy(() -> WireFormat.parse(json))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("[1].ppa_list[0]: 'ppa:Bad Name' is not a PPA (use ppa:owner/name,"
            + " owner/name or owner/distribution/name)");
  }

  @Test
  void nothingIsReturnedWhenTheSecondOfThreeItemsIsInvalid() {
    String json = "[{" + OCI + ", \"images\": [\"redis\"]}, {" + CLOUD
        + ", \"package_list\": [\"ok\", \"NOT OK\"]}, {" + TOUCH + "}]";

    InvalidRequestException e =
        catchThrowableOfType(InvalidRequestException.class, () -> WireFormat.parse(json));

    assertThat(e).isNotNull();
    assertThat(e.field()).isEqualTo("[1].package_list[1]");
    assertThat(e.getMessage()).contains("'NOT OK'");
  }

  @Test
  void theFirstBadItemIsReportedEvenWhenALaterOneIsBadToo() {
    String json = "[{" + OCI + "}, {" + OCI + ", \"images\": 1}, {\"image_type\": \"x\"}]";

    assertThatThrownBy(() -> WireFormat.parse(json))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("[1].images"));
  }

  @Test
  void malformedJsonAnywhereWinsOverBadValuesBeforeIt() {
    String json = "[{" + OCI + ", \"images\": 1}, {" + OCI + ",]";

    assertThatThrownBy(() -> WireFormat.parse(json))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("json"));
  }

  @Test
  void refusesDocumentsOverOneMebibyte() {
    String padding = " ".repeat((1 << 20) - 30);
    String small = "[{" + OCI + "}" + padding + "]";
    String large = "[{" + OCI + "}" + padding + " ".repeat(100) + "]";

    assertThat(WireFormat.parse(small)).hasSize(1);
    assertThatThrownBy(() -> WireFormat.parse(large))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("json"))
        .hasMessageContaining("characters long; the limit is 1048576");
  }

  @Test
  void aLongValueIsShortenedInTheMessage() {
    String name = "x".repeat(5000);
    String json = "[{" + OCI + ", \"architectures\": [\"" + name + "\"]}]";

    assertThatThrownBy(() -> WireFormat.parse(json))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("[0].architectures[0]: '" + "x".repeat(200) + "...'")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(600));
  }
}
