package dev.imagebuilder.testkit.internal.launchpad;

import static dev.imagebuilder.testkit.internal.launchpad.Entries.entry;
import static dev.imagebuilder.testkit.internal.launchpad.Entries.page;
import static dev.imagebuilder.testkit.internal.launchpad.Responses.json;

import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;

/** {@code +processors}: the collection, its {@code getByName} operation, and one processor. */
final class ProcessorResource {
  private final World world;

  ProcessorResource(World world) {
    this.world = world;
  }

  /** {@code segments} starts with {@code +processors}. */
  MockResponse.Builder answer(ApiRequest req, Representations reps, String[] segments) {
    if (segments.length == 1) {
      String op = req.wsOp();
      if (op != null) {
        if (!op.equals("getByName") || !req.method().equals("GET")) {
          throw ApiError.badRequest("No such operation: " + op);
        }
        String name = req.stringParam("name", true);
        Processor p = world.processor(name).orElseThrow(() -> ApiError.notFound("No such processor: '" + name + "'."));
        return json(200, reps.processor(p));
      }
      req.requireGet(null);
      List<Map<String, Object>> all = world.processors().stream().map(reps::processor).toList();
      return page(req, reps, "processor", "+processors", all);
    }
    if (segments.length == 2) {
      Processor p = world.processor(segments[1]).orElseThrow(() -> req.notFound(segments[1]));
      return entry(req, reps.processor(p), Schema.PROCESSOR, null);
    }
    throw req.notFound(segments[segments.length - 1]);
  }
}
