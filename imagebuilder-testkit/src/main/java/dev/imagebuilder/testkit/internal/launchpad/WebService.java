package dev.imagebuilder.testkit.internal.launchpad;

import static dev.imagebuilder.testkit.internal.launchpad.Entries.entry;
import static dev.imagebuilder.testkit.internal.launchpad.Responses.json;
import static dev.imagebuilder.testkit.internal.launchpad.Responses.redirect;

import java.util.List;
import mockwebserver3.MockResponse;

/**
 * The web service below the service root ({@code /devel/}): the root itself and its WADL,
 * {@code people/+me}, people, OCI projects, and hands the rest to the resource that owns the path.
 */
final class WebService {
  private final World world;
  private final ProcessorResource processors;
  private final RecipeResource recipes;
  private final int batchSize;

  WebService(World world, WebhookHub webhooks, int batchSize) {
    if (batchSize < 1 || batchSize > Entries.MAX_PAGE) {
      throw new IllegalArgumentException("batch size must be 1 to " + Entries.MAX_PAGE + ": " + batchSize);
    }
    this.world = world;
    this.batchSize = batchSize;
    this.processors = new ProcessorResource(world);
    this.recipes = new RecipeResource(world, webhooks);
  }

  /** Answers an API request of {@code caller}; {@code rel} is the decoded path below the service root. */
  MockResponse.Builder answer(ApiRequest req, String rel, Caller caller) {
    Representations reps = new Representations(req.roots(), world, batchSize);
    if (rel.isEmpty()) {
      if (req.accept() != null && req.accept().contains(Responses.WADL)) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", Responses.WADL)
            .body(WadlWriter.write(req.roots().api()));
      }
      return json(200, reps.serviceRoot());
    }
    String[] s = rel.endsWith("/") ? rel.substring(0, rel.length() - 1).split("/") : rel.split("/");
    if (rel.equals("people/+me")) {
      if (caller.anonymous()) {
        throw ApiError.unauthorized("You need to be logged in to view this URL.");
      }
      return redirect(303, req.roots().api("~" + world.user()));
    }
    if (s[0].equals("+processors")) {
      return processors.answer(req, reps, s);
    }
    if (s.length == 1 && s[0].startsWith("~")) {
      Person p = world.person(s[0].substring(1)).orElseThrow(() -> req.notFound(s[0]));
      return entry(req, reps.person(p), Schema.PERSON, null);
    }
    if (s.length == 1 && OciProjectSearch.OPERATION.equals(req.wsOp())) {
      req.requireGet(null);
      return json(200, OciProjectSearch.page(world, reps, s[0], req.param("text"),
          req.intParam("ws.start", 0), Math.min(Entries.MAX_PAGE, req.intParam("ws.size", Entries.DEFAULT_PAGE))));
    }
    if (s.length == 3 && s[1].equals("+oci")) {
      OciProject p = world.ociProject(rel).orElseThrow(() -> req.notFound(s[2]));
      return entry(req, reps.ociProject(p), Schema.OCI_PROJECT, null);
    }
    if (s.length >= 6 && s[0].startsWith("~") && s[2].equals("+oci") && s[4].equals("+recipe")) {
      String recipePath = String.join("/", List.of(s).subList(0, 6));
      Recipe recipe = world.findRecipe(recipePath)
          .orElseThrow(() -> ApiError.notFound("No such OCI recipe exists for this OCI project"));
      return recipes.answer(req, reps, recipe, List.of(s).subList(6, s.length));
    }
    throw req.notFound(s[s.length - 1]);
  }
}
