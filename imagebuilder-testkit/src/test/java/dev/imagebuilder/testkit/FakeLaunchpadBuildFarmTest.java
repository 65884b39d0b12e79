package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** requestBuilds, the scripted build farm and the build operations, driven over HTTP. */
class FakeLaunchpadBuildFarmTest {
  private FakeLaunchpad lp;
  private Client client;
  private RecipeHandle recipe;
  private String root;

  @BeforeEach
  void start() {
    lp = FakeLaunchpad.start();
    client = new Client(lp.credentials());
    recipe = lp.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", "redis", "redis-22.04")
        .processors("amd64", "arm64", "ppc64el", "s390x")
        .pushRule("https://registry.example", "ubuntu/redis", "bot");
    root = lp.serviceRoot().toString();
  }

  @AfterEach
  void stop() {
    lp.close();
  }

  @Test
  void requestBuildsCreatesOneBuildPerProcessorAsynchronously() {
    HttpResponse<String> r = client.post(root + recipe.path(), "requestBuilds");

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.body()).isEmpty();
    String location = r.headers().firstValue("Location").orElseThrow();
    assertThat(location).matches(java.util.regex.Pattern.quote(root + recipe.path() + "/+build-request/") + "\\d+");
    JsonNode pending = client.getJson(location);
    assertThat(pending.get("status").asText()).isEqualTo("Pending");
    assertThat(pending.get("date_finished").isNull()).isTrue();
    assertThat(pending.get("error_message").isNull()).isTrue();
    assertThat(pending.get("builds_collection_link").asText()).isEqualTo(location + "/builds");
    assertThat(client.getJson(location + "/builds").get("total_size").asInt()).isZero();

    lp.advancePhases(1);

    JsonNode done = client.getJson(location);
    assertThat(done.get("status").asText()).isEqualTo("Completed");
    assertThat(done.get("date_finished").isNull()).isFalse();
    JsonNode builds = client.getJson(done.get("builds_collection_link").asText());
    assertThat(builds.get("total_size").asInt()).isEqualTo(4);
    assertThat(builds.get("resource_type_link").asText()).isEqualTo(root + "#oci_recipe_build-page-resource");
    List<String> archs = new ArrayList<>();
    builds.get("entries").forEach(b -> {
      archs.add(b.get("arch_tag").asText());
      assertThat(b.get("buildstate").asText()).isEqualTo("Needs building");
      assertThat(b.get("can_be_cancelled").asBoolean()).isTrue();
      assertThat(b.get("can_be_retried").asBoolean()).isFalse();
    });
    assertThat(archs).containsExactly("amd64", "arm64", "ppc64el", "s390x");
    assertThat(lp.operationCount("requestBuilds")).isEqualTo(1);
  }

  @Test
  void requestBuildsSkipsArchitecturesWithAPendingBuildAndFailsWhenAllAreSkipped() {
    String first = requestAndRun();
    recipe.processors("amd64", "arm64", "ppc64el", "s390x", "riscv64");
    String second = requestAndRun();

    assertThat(archs(second)).containsExactly("riscv64");

    // The riscv64 build is still Needs building when the next job runs (jobs run before builds
    // move at the same instant), so a riscv64-only request has nothing left to build.
    recipe.processors("riscv64");
    String third = requestAndRun();
    JsonNode failed = client.getJson(third);
    assertThat(failed.get("status").asText()).isEqualTo("Failed");
    assertThat(failed.get("error_message").asText()).isEqualTo("An identical build of this OCI recipe is already pending.");
    assertThat(client.getJson(third + "/builds").get("total_size").asInt()).isZero();
    assertThat(archs(first)).hasSize(4);
  }

  @Test
  void theJobReadsProcessorsWhenItRuns() {
    String location = client.post(root + recipe.path(), "requestBuilds").headers().firstValue("Location").orElseThrow();
    client.post(root + recipe.path(), "setProcessors", "processors", "[\"" + root + "+processors/arm64\"]");
    lp.advancePhases(1);

    assertThat(archs(location)).containsExactly("arm64");
  }

  @Test
  void successfulBuildStepsThroughEveryStateAndUploads() {
    recipe.processors("amd64");
    String build = onlyBuild(requestAndRun());

    assertThat(states(build, 6)).containsExactly(
        "Needs building/Unscheduled",
        "Currently building/Unscheduled",
        "Gathering build output/Unscheduled",
        "Uploading build/Unscheduled",
        "Successfully built/Pending",
        "Successfully built/Uploaded");
    JsonNode finished = client.getJson(build);
    assertThat(finished.get("datebuilt").isNull()).isFalse();
    assertThat(finished.get("duration").asText()).isEqualTo("0:03:00");
    assertThat(finished.get("build_log_url").asText()).startsWith(lp.webRoot().toString());
    HttpResponse<String> log = client.get(finished.get("build_log_url").asText());
    assertThat(log.statusCode()).isEqualTo(200);
  }

  @Test
  void withoutPushRulesABuiltImageStaysUnscheduled() {
    recipe.processors("amd64").noPushRules();
    String build = onlyBuild(requestAndRun());

    assertThat(states(build, 6)).last().isEqualTo("Successfully built/Unscheduled");
    HttpResponse<String> r = client.post(build, "scheduleRegistryUpload");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(r.body()).isEqualTo("Cannot upload this build to registries because the recipe is not properly configured.");
  }

  @Test
  void scriptedBuildFailureThenRetrySucceeds() {
    recipe.processors("amd64");
    lp.script(recipe, "amd64").buildFails();
    String build = onlyBuild(requestAndRun());

    assertThat(states(build, 4)).containsExactly(
        "Needs building/Unscheduled",
        "Currently building/Unscheduled",
        "Gathering build output/Unscheduled",
        "Failed to build/Unscheduled");
    JsonNode failed = client.getJson(build);
    assertThat(failed.get("can_be_retried").asBoolean()).isTrue();
    assertThat(failed.get("can_be_cancelled").asBoolean()).isFalse();
    assertThat(failed.get("build_log_url").isNull()).isFalse();

    HttpResponse<String> retry = client.post(build, "retry");
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.body()).isEqualTo("null");
    assertThat(client.getJson(build).get("self_link").asText()).isEqualTo(build);
    assertThat(states(build, 6)).containsExactly(
        "Needs building/Unscheduled",
        "Currently building/Unscheduled",
        "Gathering build output/Unscheduled",
        "Uploading build/Unscheduled",
        "Successfully built/Pending",
        "Successfully built/Uploaded");
    assertThat(lp.operationCount("retry")).isEqualTo(1);
  }

  @Test
  void retryIsRefusedUnlessTheBuildCanBeRetried() {
    recipe.processors("amd64");
    String build = onlyBuild(requestAndRun());

    HttpResponse<String> r = client.post(build, "retry");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("cannot be retried");
    assertThat(client.getJson(build).get("buildstate").asText()).isEqualTo("Needs building");
  }

  @Test
  void scriptedDependencyWait() {
    recipe.processors("arm64");
    lp.script(recipe, "arm64").dependencyWait();
    String build = onlyBuild(requestAndRun());

    assertThat(states(build, 3)).containsExactly(
        "Needs building/Unscheduled", "Currently building/Unscheduled", "Dependency wait/Unscheduled");
    JsonNode depwait = client.getJson(build);
    assertThat(depwait.get("dependencies").asText()).isNotEmpty();
    assertThat(depwait.get("can_be_retried").asBoolean()).isTrue();
  }

  @Test
  void scriptedUploadFailuresNeedScheduleRegistryUpload() {
    recipe.processors("arm64");
    lp.script(recipe, "arm64").uploadFailsTimes(2, "DENIED", "requested access to the resource is denied");
    String build = onlyBuild(requestAndRun());

    assertThat(states(build, 6)).endsWith("Successfully built/Pending", "Successfully built/Failed to upload");
    JsonNode failed = client.getJson(build);
    assertThat(failed.get("registry_upload_error_summary").asText()).contains("requested access to the resource is denied");
    assertThat(failed.get("registry_upload_errors").get(0).get("code").asText()).isEqualTo("DENIED");
    assertThat(failed.get("can_be_retried").asBoolean()).isFalse();
    lp.advancePhases(5);
    assertThat(client.getJson(build).get("registry_upload_status").asText())
        .as("Launchpad does not retry registry errors by itself").isEqualTo("Failed to upload");

    assertThat(client.post(build, "scheduleRegistryUpload").body()).isEqualTo("null");
    assertThat(states(build, 2)).containsExactly("Successfully built/Pending", "Successfully built/Failed to upload");
    assertThat(client.post(build, "scheduleRegistryUpload").statusCode()).isEqualTo(200);
    assertThat(states(build, 2)).containsExactly("Successfully built/Pending", "Successfully built/Uploaded");
    assertThat(client.getJson(build).get("registry_upload_error_summary").isNull()).isTrue();
    assertThat(lp.operationCount("scheduleRegistryUpload")).isEqualTo(2);
  }

  @Test
  void scheduleRegistryUploadRefusalsUseLaunchpadsWording() {
    recipe.processors("amd64");
    String build = onlyBuild(requestAndRun());

    HttpResponse<String> noFiles = client.post(build, "scheduleRegistryUpload");
    assertThat(noFiles.statusCode()).isEqualTo(400);
    assertThat(noFiles.body()).isEqualTo("Cannot upload this build because it has no files.");

    lp.advancePhases(4);
    assertThat(client.getJson(build).get("registry_upload_status").asText()).isEqualTo("Pending");
    HttpResponse<String> inProgress = client.post(build, "scheduleRegistryUpload");
    assertThat(inProgress.statusCode()).isEqualTo(400);
    assertThat(inProgress.body()).isEqualTo("An upload of this build is already in progress.");

    lp.advancePhases(1);
    HttpResponse<String> uploaded = client.post(build, "scheduleRegistryUpload");
    assertThat(uploaded.statusCode()).isEqualTo(400);
    assertThat(uploaded.body()).isEqualTo("Cannot upload this build because it has already been uploaded.");
    assertThat(lp.operationCount("scheduleRegistryUpload")).as("refusals are not acted on").isZero();
  }

  @Test
  void scriptedSupersession() {
    recipe.processors("s390x");
    lp.script(recipe, "s390x").superseded();
    String build = onlyBuild(requestAndRun());

    assertThat(states(build, 6)).endsWith("Successfully built/Pending", "Build for superseded Source/Superseded");
    assertThat(client.post(build, "scheduleRegistryUpload").statusCode())
        .as("accepted, but the job does nothing").isEqualTo(200);
    lp.advancePhases(1);
    assertThat(client.getJson(build).get("registry_upload_status").asText()).isEqualTo("Superseded");
  }

  @Test
  void cancelBeforeDispatchIsImmediate() {
    recipe.processors("amd64");
    String build = onlyBuild(requestAndRun());

    assertThat(client.post(build, "cancel").body()).isEqualTo("null");

    JsonNode cancelled = client.getJson(build);
    assertThat(cancelled.get("buildstate").asText()).isEqualTo("Cancelled build");
    assertThat(cancelled.get("can_be_retried").asBoolean()).isTrue();
    assertThat(cancelled.get("can_be_cancelled").asBoolean()).isFalse();
  }

  @Test
  void cancelWhileBuildingGoesThroughCancelling() {
    recipe.processors("amd64");
    String build = onlyBuild(requestAndRun());
    lp.advancePhases(1);

    client.post(build, "cancel");

    assertThat(client.getJson(build).get("buildstate").asText()).isEqualTo("Cancelling build");
    lp.advancePhases(1);
    assertThat(client.getJson(build).get("buildstate").asText()).isEqualTo("Cancelled build");
    // A finished build ignores cancel silently.
    HttpResponse<String> again = client.post(build, "cancel");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(client.getJson(build).get("buildstate").asText()).isEqualTo("Cancelled build");
    assertThat(lp.operationCount("cancel")).isEqualTo(2);
  }

  @Test
  void scriptedCancelRaceEndsBuilt() {
    recipe.processors("amd64");
    lp.script(recipe, "amd64").cancelRacesFinish();
    String build = onlyBuild(requestAndRun());
    lp.advancePhases(1);

    client.post(build, "cancel");

    assertThat(states(build, 3)).containsExactly(
        "Cancelling build/Unscheduled", "Successfully built/Pending", "Successfully built/Uploaded");
  }

  @Test
  void scriptsAreKeptPerArchitecture() {
    lp.script(recipe, "arm64").buildFails();
    String request = requestAndRun();
    lp.advancePhases(6);

    assertThat(recipe.builds()).extracting(FakeBuild::arch, FakeBuild::buildstate, FakeBuild::registryUploadStatus)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("amd64", "Successfully built", "Uploaded"),
            org.assertj.core.groups.Tuple.tuple("arm64", "Failed to build", "Unscheduled"),
            org.assertj.core.groups.Tuple.tuple("ppc64el", "Successfully built", "Uploaded"),
            org.assertj.core.groups.Tuple.tuple("s390x", "Successfully built", "Uploaded"));
    assertThat(lp.buildRequestStatuses(recipe)).containsExactly("Completed");
    assertThat(archs(request)).hasSize(4);
  }

  @Test
  void scriptedSlowDispatchAndSlowBuildHoldTheirStates() {
    recipe.processors("amd64");
    lp.script(recipe, "amd64").waitsForABuilder(3).buildsFor(2);
    String build = onlyBuild(requestAndRun());

    assertThat(states(build, 7)).containsExactly(
        "Needs building/Unscheduled",
        "Needs building/Unscheduled",
        "Needs building/Unscheduled",
        "Currently building/Unscheduled",
        "Currently building/Unscheduled",
        "Gathering build output/Unscheduled",
        "Uploading build/Unscheduled");
    // Then it finishes and uploads as usual.
    lp.advancePhases(2);
    assertThat(lp.builds(recipe)).singleElement().extracting(FakeBuild::registryUploadStatus).isEqualTo("Uploaded");
  }

  @Test
  void aSlowBuildCanStillBeCancelledAtOnceWhileWaitingForABuilder() {
    recipe.processors("amd64");
    lp.script(recipe, "amd64").waitsForABuilder(100);
    String build = onlyBuild(requestAndRun());
    lp.advancePhases(50);

    client.post(build, "cancel");

    assertThat(client.getJson(build).get("buildstate").asText()).isEqualTo("Cancelled build");
  }

  @Test
  void scriptedUnscheduledUploadWaitsForScheduleRegistryUpload() {
    recipe.processors("amd64");
    lp.script(recipe, "amd64").uploadNotScheduled();
    String build = onlyBuild(requestAndRun());

    assertThat(states(build, 6)).last().isEqualTo("Successfully built/Unscheduled");
    lp.advancePhases(3);
    assertThat(client.getJson(build).get("registry_upload_status").asText()).isEqualTo("Unscheduled");
    assertThat(client.post(build, "scheduleRegistryUpload").statusCode()).isEqualTo(200);
    assertThat(states(build, 2)).containsExactly("Successfully built/Pending", "Successfully built/Uploaded");
  }

  @Test
  void scriptedCancelOnLaunchpadGoesThroughCancelling() {
    recipe.processors("amd64");
    lp.script(recipe, "amd64").cancelledOnLaunchpad();
    String build = onlyBuild(requestAndRun());

    assertThat(states(build, 4)).containsExactly("Needs building/Unscheduled", "Currently building/Unscheduled",
        "Cancelling build/Unscheduled", "Cancelled build/Unscheduled");
    assertThat(lp.operationCount("cancel")).isZero();
  }

  @Test
  void scriptedBuildRequestFailuresCarryTheirMessage() {
    recipe.buildRequestsFail(1, "An identical build of this OCI recipe is already pending.");

    String failed = requestAndRun();
    String next = requestAndRun();

    JsonNode request = client.getJson(failed);
    assertThat(request.get("status").asText()).isEqualTo("Failed");
    assertThat(request.get("error_message").asText()).isEqualTo("An identical build of this OCI recipe is already pending.");
    assertThat(client.getJson(failed + "/builds").get("total_size").asInt()).isZero();
    assertThat(archs(next)).hasSize(4);
    assertThat(lp.buildRequestStatuses(recipe)).containsExactly("Failed", "Completed");
  }

  @Test
  void scriptedSlownessMustBeAtLeastOnePhase() {
    assertThatThrownBy(() -> lp.script(recipe, "amd64").buildsFor(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("phases must be at least 1: 0");
    assertThatThrownBy(() -> recipe.buildRequestsFail(-1, "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("times");
  }

  @Test
  void aSmallBatchSizeServesCollectionsInPagesWithNextLinks() {
    try (FakeLaunchpad small = FakeLaunchpad.builder().batchSize(3).start()) {
      RecipeHandle r = small.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", "redis", "redis-22.04")
          .processors("amd64", "arm64", "ppc64el", "s390x");
      Client c = new Client(small.credentials());
      String builds = c.post(small.serviceRoot() + r.path(), "requestBuilds").headers()
          .firstValue("Location").orElseThrow() + "/builds";
      small.advancePhases(1);

      JsonNode first = c.getJson(builds + "?ws.size=300");
      assertThat(first.get("total_size").asInt()).isEqualTo(4);
      assertThat(first.get("entries")).hasSize(3);
      JsonNode second = c.getJson(first.get("next_collection_link").asText());
      assertThat(second.get("entries")).hasSize(1);
      assertThat(second.has("next_collection_link")).isFalse();
      assertThat(c.get(builds + "?ws.size=301").statusCode()).as("Launchpad's own maximum still holds").isEqualTo(400);
    }
    assertThatThrownBy(() -> FakeLaunchpad.builder().batchSize(301))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("batch size must be 1 to 300: 301");
  }

  @Test
  void buildsOfAnotherOwnersRecipeCannotBeRequested() {
    lp.addPerson("someone-else");
    RecipeHandle foreign = lp.addRecipe("someone-else", "ubuntu-docker-images", "redis", "theirs-22.04");

    HttpResponse<String> r = client.post(root + foreign.path(), "requestBuilds");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(FakeLaunchpad.USER + " cannot create OCI image builds owned by someone-else.");
    assertThat(lp.buildRequestStatuses(foreign)).isEmpty();
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** requestBuilds, then one phase so the job runs; returns the build request URL. */
  private String requestAndRun() {
    HttpResponse<String> r = client.post(root + recipe.path(), "requestBuilds");
    assertThat(r.statusCode()).isEqualTo(201);
    lp.advancePhases(1);
    return r.headers().firstValue("Location").orElseThrow();
  }

  private List<String> archs(String buildRequest) {
    List<String> archs = new ArrayList<>();
    client.getJson(buildRequest + "/builds").get("entries").forEach(b -> archs.add(b.get("arch_tag").asText()));
    return archs;
  }

  private String onlyBuild(String buildRequest) {
    JsonNode entries = client.getJson(buildRequest + "/builds").get("entries");
    assertThat(entries).hasSize(1);
    return entries.get(0).get("self_link").asText();
  }

  /** The build's "buildstate/registry_upload_status" now and after each of the next phases. */
  private List<String> states(String build, int count) {
    List<String> states = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        lp.advancePhases(1);
      }
      JsonNode b = client.getJson(build);
      states.add(b.get("buildstate").asText() + "/" + b.get("registry_upload_status").asText());
    }
    return states;
  }
}
