package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.cli.internal.Cli;
import dev.imagebuilder.cli.internal.Invocation;
import dev.imagebuilder.testkit.FakeOpenStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code image-builder submit --dry-run} with a cloud item: the plan says what would be
 * downloaded, installed and uploaded, and nothing is contacted, built or written.
 */
class SubmitDryRunTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  Run run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = new Cli(new Invocation(o, e, false, env::get, false)).run(args);
    }
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aCloudItemsPlanSaysWhatWouldBeDownloadedInstalledAndUploaded() throws Exception {
    try (FakeOpenStack openstack = FakeOpenStack.start()) {
      Map<String, String> env = new HashMap<>();
      env.put("OS_CLIENT_CONFIG_FILE", Files.writeString(dir.resolve("clouds.yaml"),
          openstack.cloudsYaml("ci")).toString());
      env.put("HOME", dir.toString());
      Path requests = Files.writeString(dir.resolve("requests.json"), """
          [{"image_type": "cloud",
            "image": "https://cloud-images.ubuntu.com/jammy/current/jammy-server-cloudimg-amd64.img",
            "series": "jammy", "ppa_list": ["ppa:owner/name"], "package_list": ["hello", "sl"],
            "destination": "glance:ci"}]
          """);
      List<String> args = new ArrayList<>(List.of("submit", "--file", requests.toString(), "--dry-run",
          "--state", dir.resolve("state.json").toString(),
          "--config", "guestfs.virt-customize=/bin/true",
          "--config", "guestfs.output-directory=" + dir.resolve("out")));

      Run plain = run(env, args.toArray(String[]::new));
      args.add("--json");
      Run json = run(env, args.toArray(String[]::new));

      assertThat(plain.exit()).as(plain.toString()).isZero();
      assertThat(plain.out())
          .contains("downloads https://cloud-images.ubuntu.com/jammy/current/jammy-server-cloudimg-amd64.img")
          .contains("installs with apt in the image: hello, sl (also from ppa:owner/name)")
          .contains("uploads the image to Glance of cloud 'ci'")
          .contains("Dry run: nothing was submitted");
      assertThat(json.exit()).isZero();
      JsonNode plan = new ObjectMapper().readTree(json.out());
      assertThat(plan.path("kind").asText()).isEqualTo("plan");
      assertThat(plan.toString()).contains("uploads the image to Glance of cloud 'ci'");
      assertThat(openstack.calls()).as("a dry run contacts nothing").isEmpty();
      assertThat(dir.resolve("out")).doesNotExist();
      assertThat(dir.resolve("state.json")).doesNotExist();
    }
  }
}
