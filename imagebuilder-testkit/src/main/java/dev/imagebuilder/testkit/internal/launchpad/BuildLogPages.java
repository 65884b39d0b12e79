package dev.imagebuilder.testkit.internal.launchpad;

import static dev.imagebuilder.testkit.internal.launchpad.Responses.text;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;

/** Pages outside the API: build logs (gzipped, as the librarian serves them); any other web link is a 404. */
final class BuildLogPages {
  private static final Pattern LOG_PATH =
      Pattern.compile("^(~[^/]+/[^/]+/\\+oci/[^/]+/\\+recipe/[^/]+)/\\+build/(\\d+)/\\+files/[^/]+$");

  private final World world;

  BuildLogPages(World world) {
    this.world = world;
  }

  MockResponse.Builder answer(ApiRequest req) {
    String rel = ApiRequest.decode(req.path().substring(1));
    Matcher m = LOG_PATH.matcher(rel);
    if (m.matches() && req.method().equals("GET")) {
      Optional<Build> build = world.findRecipe(m.group(1)).flatMap(r -> world.build(r, Integer.parseInt(m.group(2))));
      String logPath;
      String state;
      synchronized (world) {
        logPath = build.map(b -> b.buildLogUrlPath).orElse(null);
        state = build.map(b -> b.buildstate).orElse(null);
      }
      if (rel.equals(logPath)) {
        return Responses.gzipped("Fake build log of " + build.get().path() + "\nBuild finished: " + state + "\n");
      }
    }
    return text(404, "Not found: /" + rel);
  }
}
