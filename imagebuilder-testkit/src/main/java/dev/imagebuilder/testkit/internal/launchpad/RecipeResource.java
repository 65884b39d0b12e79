package dev.imagebuilder.testkit.internal.launchpad;

import static dev.imagebuilder.testkit.internal.launchpad.Entries.entry;
import static dev.imagebuilder.testkit.internal.launchpad.Entries.page;
import static dev.imagebuilder.testkit.internal.launchpad.Entries.requireEditor;
import static dev.imagebuilder.testkit.internal.launchpad.Responses.json;
import static dev.imagebuilder.testkit.internal.launchpad.Responses.redirect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;

/**
 * One OCI recipe ({@code ~owner/project/+oci/name/+recipe/recipe}): the entry and its named
 * operations, its collections, and what lives below it (build requests, builds, push rules).
 */
final class RecipeResource {
  private final World world;
  private final BuildResource builds;
  /** The recipes' webhooks, or {@code null} when this fake serves none. */
  private final WebhookHub webhooks;

  RecipeResource(World world, WebhookHub webhooks) {
    this.world = world;
    this.builds = new BuildResource(world);
    this.webhooks = webhooks;
  }

  /** {@code rest} is the path below the recipe. */
  MockResponse.Builder answer(ApiRequest req, Representations reps, Recipe recipe, List<String> rest) {
    if (rest.isEmpty()) {
      return entry(req, reps.recipe(recipe), Schema.OCI_RECIPE, op -> operation(req, recipe, op));
    }
    String first = rest.get(0);
    if (rest.size() == 1) {
      return collection(req, reps, recipe, first);
    }
    int id = req.id(rest.get(1));
    switch (first) {
      case "+build-request" -> {
        BuildRequest q = world.buildRequest(recipe, id).orElseThrow(() -> req.notFound(rest.get(1)));
        if (rest.size() == 2) {
          Map<String, Object> rep;
          synchronized (world) {
            rep = reps.buildRequest(q);
          }
          return entry(req, rep, Schema.OCI_RECIPE_BUILD_REQUEST, null);
        }
        if (rest.size() == 3 && rest.get(2).equals("builds")) {
          req.requireGet(req.wsOp());
          List<Map<String, Object>> all;
          synchronized (world) {
            all = q.builds.stream().map(reps::build).toList();
          }
          return page(req, reps, "oci_recipe_build", q.path() + "/builds", all);
        }
        throw req.notFound(rest.get(rest.size() - 1));
      }
      case "+build" -> {
        Build b = world.build(recipe, id).orElseThrow(() -> req.notFound(rest.get(1)));
        if (rest.size() != 2) {
          throw req.notFound(rest.get(rest.size() - 1));
        }
        return builds.answer(req, reps, b);
      }
      case "+webhook" -> {
        if (webhooks == null || rest.size() != 2) {
          throw req.notFound(rest.get(rest.size() - 1));
        }
        requireEditor(world, recipe, "manage the webhooks of");
        WebhookHub.Hook hook = webhooks.find(recipe.path(), id);
        if (hook == null) {
          throw req.notFound(rest.get(1));
        }
        if (req.method().equals("DELETE")) {
          webhooks.delete(id);
          return json(200, null);
        }
        req.requireGet(req.wsOp());
        return json(200, webhooks.representation(req.roots(), hook));
      }
      case "+push-rule" -> {
        PushRule rule = world.pushRule(recipe, id).orElseThrow(() -> req.notFound(rest.get(1)));
        if (rest.size() != 2) {
          throw req.notFound(rest.get(rest.size() - 1));
        }
        if (req.method().equals("DELETE")) {
          requireEditor(world, recipe, "delete push rules of");
          world.deletePushRule(recipe, rule);
          return json(200, null);
        }
        return entry(req, reps.pushRule(recipe, rule), Schema.OCI_PUSH_RULE, null);
      }
      default -> throw req.notFound(first);
    }
  }

  private MockResponse.Builder collection(ApiRequest req, Representations reps, Recipe recipe, String name) {
    switch (name) {
      case "processors" -> {
        req.requireGet(req.wsOp());
        List<Map<String, Object>> all = world.recipeProcessors(recipe.path()).stream()
            .map(n -> reps.processor(world.processor(n).orElseThrow())).toList();
        return page(req, reps, "processor", recipe.path() + "/processors", all);
      }
      case "push_rules" -> {
        req.requireGet(req.wsOp());
        List<Map<String, Object>> all;
        synchronized (world) {
          all = recipe.pushRules.stream().map(r -> reps.pushRule(recipe, r)).toList();
        }
        return page(req, reps, "oci_push_rule", recipe.path() + "/push_rules", all);
      }
      case "webhooks" -> {
        req.requireGet(req.wsOp());
        requireEditor(world, recipe, "see the webhooks of");
        List<Map<String, Object>> all = webhooks == null ? List.of()
            : webhooks.of(recipe.path()).stream().map(h -> webhooks.representation(req.roots(), h)).toList();
        return page(req, reps, "webhook", recipe.path() + "/webhooks", all);
      }
      default -> throw req.notFound(name);
    }
  }

  private MockResponse.Builder operation(ApiRequest req, Recipe recipe, String op) {
    switch (op) {
      case "requestBuilds" -> {
        requireEditor(world, recipe, "create OCI image builds owned by");
        BuildRequest q = world.requestBuilds(recipe);
        return redirect(201, req.roots().api(q.path()));
      }
      case "setProcessors" -> {
        Object value = Json.decodeParameter(req.requiredRaw("processors"));
        if (!(value instanceof List<?> list)) {
          throw ApiError.badRequest("processors: Value doesn't look like a list: " + value);
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          Object item = list.get(i);
          String rel = item instanceof String url ? req.roots().relative(url) : null;
          String name = rel != null && rel.startsWith("+processors/") ? rel.substring("+processors/".length()) : null;
          if (name == null || world.processor(name).isEmpty()) {
            throw ApiError.badRequest("processors: item " + i + ": No such object \"" + item + "\".");
          }
          names.add(name);
        }
        requireEditor(world, recipe, "set the processors of OCI recipes owned by");
        world.setProcessors(recipe, names);
        return json(200, null);
      }
      case "newWebhook" -> {
        if (webhooks == null) {
          throw ApiError.badRequest("No such operation: " + op);
        }
        String url = req.stringParam("delivery_url", true);
        Object types = Json.decodeParameter(req.requiredRaw("event_types"));
        if (!(types instanceof List<?> list)) {
          throw ApiError.badRequest("event_types: Value doesn't look like a list: " + types);
        }
        Object active = req.param("active") == null ? Boolean.TRUE : Json.decodeParameter(req.param("active"));
        requireEditor(world, recipe, "create webhooks for OCI recipes owned by");
        int id = webhooks.create(recipe.path(), url, list.stream().map(String::valueOf).toList(),
            !Boolean.FALSE.equals(active), req.param("secret"));
        return redirect(201, req.roots().api(recipe.path() + "/+webhook/" + id));
      }
      case "newPushRule" -> {
        String registryUrl = req.stringParam("registry_url", true);
        String imageName = req.stringParam("image_name", true);
        Object credentials = Json.decodeParameter(req.requiredRaw("credentials"));
        if (!(credentials instanceof Map<?, ?> map)) {
          throw ApiError.badRequest("credentials: Value doesn't look like a dictionary: " + credentials);
        }
        requireEditor(world, recipe, "create push rules for OCI recipes owned by");
        Object username = map.get("username");
        int id = world.newPushRule(recipe, registryUrl, imageName, username == null ? null : username.toString());
        return redirect(201, req.roots().api(recipe.path() + "/+push-rule/" + id));
      }
      default -> throw ApiError.badRequest("No such operation: " + op);
    }
  }
}
