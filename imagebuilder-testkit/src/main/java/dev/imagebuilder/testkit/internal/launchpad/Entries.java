package dev.imagebuilder.testkit.internal.launchpad;

import static dev.imagebuilder.testkit.internal.launchpad.Responses.json;
import static dev.imagebuilder.testkit.internal.launchpad.Responses.text;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import mockwebserver3.MockResponse;

/** The two answers every resource gives: an entry (or one of its named operations) and a page of a collection. */
final class Entries {
  static final int MAX_PAGE = 300;
  static final int DEFAULT_PAGE = 50;

  private Entries() {}

  /** GET of an entry (with 304 on a matching If-None-Match), or one of its named operations. */
  static MockResponse.Builder entry(ApiRequest req, Map<String, Object> rep, Schema.EntryType type,
      Function<String, MockResponse.Builder> operations) {
    String op = req.wsOp();
    if (op == null) {
      if (req.method().equals("POST")) {
        throw ApiError.badRequest("No operation name given.");
      }
      if (!req.method().equals("GET")) {
        return text(405, "Method not allowed: " + req.method());
      }
      String etag = (String) rep.get("http_etag");
      if (etag != null && etag.equals(req.ifNoneMatch())) {
        return new MockResponse.Builder().code(304).setHeader("ETag", etag);
      }
      return json(200, rep).setHeader("ETag", etag);
    }
    boolean known = type.operations().stream().anyMatch(o -> o.name().equals(op) && o.method().equals(req.method()));
    if (!known || operations == null) {
      throw ApiError.badRequest("No such operation: " + op);
    }
    return operations.apply(op);
  }

  /**
   * One page ({@code ws.start}, {@code ws.size}) of a collection; a size above Launchpad's maximum
   * is refused, one above the fake's batch size is served in pages of that size.
   */
  static MockResponse.Builder page(ApiRequest req, Representations reps, String type, String path,
      List<Map<String, Object>> all) {
    int start = req.intParam("ws.start", 0);
    int size = req.intParam("ws.size", DEFAULT_PAGE);
    if (size > MAX_PAGE) {
      throw ApiError.badRequest("Maximum for \"ws.size\" parameter is " + MAX_PAGE + ".");
    }
    if (size < 1 || start < 0) {
      throw ApiError.badRequest("Invalid value for \"" + (size < 1 ? "ws.size" : "ws.start") + "\" parameter.");
    }
    return json(200, reps.page(type, path, all, start, Math.min(size, reps.batchSize())));
  }

  /** Refuses a write by a user who may not edit the recipe, in Launchpad's words. */
  static void requireEditor(World world, Recipe recipe, String what) {
    if (!world.canEdit(recipe, world.user())) {
      throw ApiError.unauthorized(world.user() + " cannot " + what + " " + recipe.owner + ".");
    }
  }
}
