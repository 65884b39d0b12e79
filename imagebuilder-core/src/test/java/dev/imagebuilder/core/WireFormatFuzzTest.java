package dev.imagebuilder.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.PackageSpec;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Thousands of mutants of valid documents: whatever the input, {@code parse} either returns
 * requests that survive a write and a second parse unchanged, or throws
 * {@link InvalidRequestException} with a field path; never anything else. And thousands of
 * random valid requests, built by builders and by record constructors: each survives a write and
 * a parse unchanged.
 *
 * <p>Each run takes a new seed, printed when the test fails. Run it again with
 * {@code -Dwireformat.fuzz.seed=<seed>} to reproduce.
 */
class WireFormatFuzzTest {
  /** About a second; {@code -Dwireformat.fuzz.cases=N} runs longer by hand. */
  private static final int CASES = Integer.getInteger("wireformat.fuzz.cases", 6000);

  /** A key and its value as raw JSON text, so mutants can repeat keys or hold any text. */
  private record Entry(String key, String json) {}

  private static final List<List<Entry>> SEEDS = List.of(
      List.of(e("image_type", q("cloud")),
          e("image", q("https://cloud-images.ubuntu.com/jammy/current/jammy-server-cloudimg-amd64.img")),
          e("ppa_list", "[\"ppa:owner/name\"]"), e("package_list", "[\"hello\", \"foo=1:2.3-1\"]"),
          e("series", q("jammy")), e("trigger", q("progress-queue-name"))),
      List.of(e("image_type", q("touch")), e("system-image-server", q("https://system-image.example.org")),
          e("system-image-channel", q("20.04/arm64/android9plus/stable")), e("devices", "[\"FP4\"]"),
          e("ppa_list", "[]"), e("package_list", "[\"foo\"]"), e("series", q("focal")),
          e("target-channel", q("custom/stable")), e("trigger", q("q2"))),
      List.of(e("image_type", q("oci")), e("images", "[\"redis\", \"postgres\"]"),
          e("series", "[\"22.04\", \"noble\"]"), e("architectures", "[\"amd64\", \"arm64\"]"),
          e("auto_retry_uploads", "3"), e("progress_trigger", q("q3"))),
      List.of(e("image", q("http://cloud-images.ubuntu.com/trusty/current/trusty-server-cloudimg-amd64-disk1.img")),
          e("ppa_list", "[\"ppa:project/ppaname\"]"), e("package_list", "[\"libfoo\", \"baz-utils\"]"),
          e("series", q("trusty")), e("trigger", q("testbuild-1-imagebuilder"))));

  private static final List<String> KEYS = List.of("image_type", "image", "ppa_list",
      "package_list", "series", "trigger", "progress_trigger", "system-image-server",
      "system-image-channel", "devices", "target-channel", "images", "architectures",
      "auto_retry_uploads", "Image_Type", "extra", "", "séries", "a\\u0000b");

  private static final List<String> STRINGS = List.of("cloud", "touch", "oci", "jammy", "22.04",
      "30.04", "zebulon", "Jammy", "ppa:owner/name", "owner/debian/name", "hello", "hello=2.10-3",
      "amd64", "AMD64", "riscv64", "https://example.org/a.img", "file:///srv/a.img",
      "https://u:p@example.org/", "http://[::1]:8080/x", "stable", "a/b/c", "../etc", "", " ",
      "\\u0000", "\\n", "\\ud800", "\\udfff\\ud800", "é", "日本", "\uD83D\uDE00", "\\\"", "\\\\",
      "x".repeat(300));

  private static final List<String> NUMBERS = List.of("0", "-0", "3", "-1", "100", "101",
      "2147483647", "2147483648", "-2147483649", "9223372036854775808", "1e2", "3.0", "0.5",
      "1E400", "-1e-400", "1e2147483648", "-2.5E-99999999999999999999", "1" + "0".repeat(63), "9".repeat(80), "0.0000000000000000000001");

  private static final String PUNCTUATION = "[]{}:,\"\\ 0123456789.-+eE";

  private static Entry e(String key, String json) {
    return new Entry(key, json);
  }

  private static String q(String s) {
    return "\"" + s + "\"";
  }

  @Test
  void everyMutantParsesAndRoundTripsOrIsRejectedCleanly() {
    long seed = Long.getLong("wireformat.fuzz.seed", new Random().nextLong());
    Random random = new Random(seed);
    int accepted = 0;
    int rejected = 0;
    for (int i = 0; i < CASES; i++) {
      String input = mutant(random);
      try {
        if (check(input)) {
          accepted++;
        } else {
          rejected++;
        }
      } catch (Throwable t) {
        throw new AssertionError("wire-format fuzz failed: rerun with -Dwireformat.fuzz.seed="
            + seed + " (case " + i + "); input: " + input.substring(0, Math.min(2000, input.length())), t);
      }
    }
    // Neither side may starve, or the test would stop checking one of its two promises.
    assertThat(accepted).as("accepted mutants, seed %d", seed).isGreaterThan(CASES / 20);
    assertThat(rejected).as("rejected mutants, seed %d", seed).isGreaterThan(CASES / 4);
  }

  @Test
  void everyRandomValidRequestRoundTrips() {
    long seed = Long.getLong("wireformat.fuzz.seed", new Random().nextLong());
    Random random = new Random(seed);
    for (int i = 0; i < CASES / 4; i++) {
      List<ImageRequest> requests = new ArrayList<>();
      int count = random.nextInt(4);
      for (int r = 0; r < count; r++) {
        requests.add(randomRequest(random));
      }
      try {
        assertThat(WireFormat.parse(WireFormat.write(requests))).isEqualTo(requests);
        assertThat(WireFormat.parse(WireFormat.writePretty(requests))).isEqualTo(requests);
        for (ImageRequest request : requests) {
          assertThat(WireFormat.parseOne(WireFormat.writeOne(request))).isEqualTo(request);
        }
      } catch (Throwable t) {
        throw new AssertionError("wire-format round trip failed: rerun with"
            + " -Dwireformat.fuzz.seed=" + seed + " (case " + i + "); requests: " + requests, t);
      }
    }
  }

  private static final List<String> URLS = List.of("https://example.org/a.img",
      "HTTPS://Example.ORG/A.img", "http://[::1]:8080/x.img?y=1&z=%20#frag",
      "file:///srv/images/base.img", "https://example.org/%E6%97%A5.img", "http://10.0.0.1/");
  private static final List<String> SERIES_TEXTS = List.of("jammy", "22.04", "noble", "14.04",
      "30.10", "zebulon", "resolute");
  private static final List<String> PPAS = List.of("ppa:owner/name", "owner/name",
      "owner/debian/name", "ci-train-ppa-service/stable-phone-overlay", "a1/b.2+3-4");
  private static final List<String> PACKAGES = List.of("hello", "hello=2.10-3", "libc6=1:2.35-0ubuntu3.8",
      "g++", "foo=1.0~rc1");
  private static final List<String> TRIGGERS = List.of("q", "progress-queue-name", "é ☃ 日本",
      "a\u0085b", "x".repeat(255), "\ud800x", "spaces inside");

  private static ImageRequest randomRequest(Random random) {
    String trigger = random.nextBoolean() ? null : pick(random, TRIGGERS);
    return switch (random.nextInt(3)) {
      case 0 -> random.nextBoolean()
          ? ImageRequest.cloud().image(pick(random, URLS)).series(pick(random, SERIES_TEXTS))
              .ppas(some(random, PPAS)).packages(some(random, PACKAGES)).trigger(trigger)
              .destination(pick(random, List.of("file", "glance", "glance:ci-cloud", " glance:a.b@c "))).build()
          : new CloudImageRequest(URI.create(pick(random, URLS)),
              Series.of(pick(random, SERIES_TEXTS)),
              some(random, PPAS).stream().map(Ppa::of).toList(),
              some(random, PACKAGES).stream().map(PackageSpec::of).toList(),
              trigger);
      case 1 -> ImageRequest.touch().systemImageServer(pick(random, URLS.subList(0, 3)))
          .channel(pick(random, List.of("stable", "20.04/arm64/android9plus/devel", "a.b/c_d+e")))
          .devices(some(random, List.of("FP4", "mako", "krillin", "x86_64")))
          .series(pick(random, SERIES_TEXTS)).ppas(some(random, PPAS))
          .packages(some(random, PACKAGES))
          .targetChannel(random.nextBoolean() ? null : "custom/stable").trigger(trigger).build();
      default -> new OciImageRequest(
          some(random, List.of("redis", "postgres", "nginx", "memcached")),
          some(random, SERIES_TEXTS).stream().map(Series::of).toList(),
          some(random, List.of(Architecture.values())),
          random.nextInt(OciImageRequest.MAX_AUTO_RETRY_UPLOADS + 1), trigger);
    };
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  /** A few of {@code values}, repeats allowed. */
  private static <T> List<T> some(Random random, List<T> values) {
    List<T> out = new ArrayList<>();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      out.add(pick(random, values));
    }
    return out;
  }

  /** True when parsed (and round-tripped), false when rejected as it should be. */
  private static boolean check(String input) {
    List<ImageRequest> parsed;
    try {
      parsed = WireFormat.parse(input);
    } catch (InvalidRequestException e) {
      assertThat(e.field()).isNotBlank();
      assertThat(e.getMessage()).startsWith(e.field() + ": ");
      return false;
    }
    assertThat(WireFormat.parse(WireFormat.write(parsed))).isEqualTo(parsed);
    for (ImageRequest request : parsed) {
      assertThat(WireFormat.parseOne(WireFormat.writeOne(request))).isEqualTo(request);
    }
    return true;
  }

  private static String mutant(Random random) {
    List<List<Entry>> items = new ArrayList<>();
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      items.add(new ArrayList<>(SEEDS.get(random.nextInt(SEEDS.size()))));
    }
    int structural = random.nextInt(4);
    for (int m = 0; m < structural; m++) {
      mutateStructure(random, items.get(random.nextInt(items.size())));
    }
    String text = render(random, items);
    int textual = random.nextInt(10) < 6 ? 0 : 1 + random.nextInt(3);
    for (int m = 0; m < textual; m++) {
      text = mutateText(random, text);
    }
    return text;
  }

  private static void mutateStructure(Random random, List<Entry> item) {
    int at = item.isEmpty() ? 0 : random.nextInt(item.size());
    switch (random.nextInt(6)) {
      case 0 -> {
        if (!item.isEmpty()) {
          item.remove(at);
        }
      }
      case 1 -> {
        if (!item.isEmpty()) {
          item.add(random.nextInt(item.size() + 1), item.get(at));
        }
      }
      case 2 -> {
        if (!item.isEmpty()) {
          item.set(at, e(item.get(at).key(), value(random, 0)));
        }
      }
      case 3 -> item.add(random.nextInt(item.size() + 1),
          e(KEYS.get(random.nextInt(KEYS.size())), value(random, 0)));
      case 4 -> {
        if (!item.isEmpty()) {
          item.set(at, e(KEYS.get(random.nextInt(KEYS.size())), item.get(at).json()));
        }
      }
      default -> {
        if (!item.isEmpty()) {
          int depth = 1 + random.nextInt(40);
          item.set(at, e(item.get(at).key(), "[".repeat(depth) + item.get(at).json()
              + "]".repeat(depth)));
        }
      }
    }
  }

  private static String value(Random random, int depth) {
    int kind = random.nextInt(depth > 2 ? 5 : 8);
    return switch (kind) {
      case 0, 1 -> q(STRINGS.get(random.nextInt(STRINGS.size())));
      case 2 -> NUMBERS.get(random.nextInt(NUMBERS.size()));
      case 3 -> random.nextBoolean() ? "true" : "false";
      case 4 -> "null";
      case 5, 6 -> {
        int n = random.nextInt(4);
        List<String> elements = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          elements.add(random.nextInt(3) == 0 ? value(random, depth + 1)
              : q(STRINGS.get(random.nextInt(STRINGS.size()))));
        }
        yield "[" + String.join(", ", elements) + "]";
      }
      default -> "{\"" + KEYS.get(random.nextInt(KEYS.size())) + "\": " + value(random, depth + 1) + "}";
    };
  }

  private static String render(Random random, List<List<Entry>> items) {
    List<String> objects = items.stream()
        .map(item -> item.stream().map(en -> q(en.key()) + ": " + en.json())
            .collect(Collectors.joining(", ", "{", "}")))
        .toList();
    return items.size() == 1 && random.nextBoolean()
        ? objects.get(0)
        : "[" + String.join(",\n ", objects) + "]";
  }

  private static String mutateText(Random random, String text) {
    if (text.isEmpty()) {
      return String.valueOf(randomChar(random));
    }
    int at = random.nextInt(text.length());
    return switch (random.nextInt(4)) {
      case 0 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(8)));
      case 1 -> text.substring(0, at) + randomChar(random) + text.substring(at);
      case 2 -> text.substring(0, at) + randomChar(random) + text.substring(at + 1);
      default -> random.nextBoolean() ? text + " " + randomChar(random) : text.substring(0, at);
    };
  }

  private static char randomChar(Random random) {
    return switch (random.nextInt(5)) {
      case 0, 1 -> PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length()));
      case 2 -> (char) random.nextInt(0x20);
      case 3 -> (char) ('a' + random.nextInt(26));
      default -> (char) random.nextInt(0x10000);
    };
  }
}
