package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The fake's resources, representations and WADL as a client sees them over HTTP. */
class FakeLaunchpadProtocolTest {
  private static final String WADL_NS = "http://research.sun.com/wadl/2006/10";
  private static final Pattern DATETIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00");

  private FakeLaunchpad lp;
  private Client client;
  private RecipeHandle recipe;
  private String root;

  @BeforeEach
  void start() {
    lp = FakeLaunchpad.start();
    client = new Client(lp.credentials());
    recipe = lp.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", "redis", "redis-22.04")
        .processors("amd64", "arm64")
        .pushRule("https://registry.example", "ubuntu/redis", "bot");
    root = lp.serviceRoot().toString();
  }

  @AfterEach
  void stop() {
    lp.close();
  }

  @Test
  void serviceRootIsLoopbackDevel() {
    assertThat(root).isEqualTo("http://127.0.0.1:" + lp.port() + "/devel/");
    assertThat(lp.webRoot().toString()).isEqualTo("http://127.0.0.1:" + lp.port() + "/");
  }

  @Test
  void servesWellFormedWadlForItsOwnRoot() throws Exception {
    HttpResponse<String> r = client.get(root, "Accept", "application/vnd.sun.wadl+xml");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/vnd.sun.wadl+xml");
    Document wadl = parseXml(r.body());
    Element resources = (Element) wadl.getElementsByTagNameNS(WADL_NS, "resources").item(0);
    assertThat(resources.getAttribute("base")).isEqualTo(root);
    assertThat(r.body()).doesNotContain("api.launchpad.net/devel");
    // Every absolute type reference points into this document, and every one is defined here.
    Set<String> defined = ids(wadl);
    Set<String> referenced = new TreeSet<>();
    for (String attribute : List.of("resource_type", "href", "type")) {
      for (Element e : all(wadl)) {
        String value = e.getAttribute(attribute);
        if (value.contains("#")) {
          assertThat(value).satisfiesAnyOf(v -> assertThat(v).startsWith(root + "#"), v -> assertThat(v).startsWith("#"));
          referenced.add(value.substring(value.indexOf('#') + 1));
        }
      }
    }
    assertThat(defined).containsAll(referenced);
    assertThat(defined).contains("service-root", "oci_recipe", "oci_recipe_build_request", "oci_recipe_build",
        "processor", "oci_push_rule", "oci_recipe_build-page-resource", "processor-page-resource",
        "oci_push_rule-page-resource", "processors");
    assertThat(operations(wadl, "oci_recipe")).contains("requestBuilds", "setProcessors", "newPushRule");
    assertThat(operations(wadl, "oci_recipe_build")).contains("cancel", "retry", "scheduleRegistryUpload", "getFileUrls");
    assertThat(operations(wadl, "processors")).contains("getByName");
  }

  @Test
  void wadlFollowsTheHostTheClientUsed() throws Exception {
    String localhostRoot = "http://localhost:" + lp.port() + "/devel/";
    HttpResponse<String> wadl = client.get(localhostRoot, "Accept", "application/vnd.sun.wadl+xml");
    JsonNode entry = client.getJson(localhostRoot + recipe.path());

    Element resources = (Element) parseXml(wadl.body()).getElementsByTagNameNS(WADL_NS, "resources").item(0);
    assertThat(resources.getAttribute("base")).isEqualTo(localhostRoot);
    assertThat(entry.get("self_link").asText()).isEqualTo(localhostRoot + recipe.path());
    assertThat(entry.get("resource_type_link").asText()).isEqualTo(localhostRoot + "#oci_recipe");
  }

  @Test
  void rootJsonLinksItsCollections() {
    HttpResponse<String> r = client.get(root);

    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode json = Client.parse(r.body());
    assertThat(json.get("processors_collection_link").asText()).isEqualTo(root + "+processors");
    assertThat(json.get("me_link").asText()).isEqualTo(root + "people/+me");
    assertThat(json.get("resource_type_link").asText()).isEqualTo(root + "#service-root");
  }

  @Test
  void recipeEntryCarriesEveryFieldAndLink() {
    HttpResponse<String> r = client.get(root + recipe.path());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(r.headers().firstValue("Cache-Control")).isEmpty();
    assertThat(r.headers().firstValue("Expires")).isEmpty();
    JsonNode json = Client.parse(r.body());
    assertThat(json.get("self_link").asText()).isEqualTo(root + recipe.path());
    assertThat(json.get("web_link").asText()).isEqualTo(lp.webRoot() + recipe.path());
    assertThat(json.get("resource_type_link").asText()).isEqualTo(root + "#oci_recipe");
    assertThat(json.get("http_etag").asText()).isEqualTo(r.headers().firstValue("ETag").orElseThrow());
    assertThat(json.get("name").asText()).isEqualTo("redis-22.04");
    assertThat(json.get("owner_link").asText()).isEqualTo(root + "~ubuntu-docker-images");
    assertThat(json.get("oci_project_link").asText()).isEqualTo(root + "ubuntu-docker-images/+oci/redis");
    assertThat(json.get("processors_collection_link").asText()).isEqualTo(root + recipe.path() + "/processors");
    assertThat(json.get("push_rules_collection_link").asText()).isEqualTo(root + recipe.path() + "/push_rules");
    assertThat(json.get("information_type").asText()).isEqualTo("Public");
    assertThat(json.get("description").isNull()).isTrue();
    assertThat(json.get("date_created").asText()).matches(DATETIME);

    JsonNode processors = client.getJson(json.get("processors_collection_link").asText());
    assertThat(names(processors)).containsExactly("amd64", "arm64");
    assertThat(processors.get("resource_type_link").asText()).isEqualTo(root + "#processor-page-resource");
    JsonNode rules = client.getJson(json.get("push_rules_collection_link").asText());
    assertThat(rules.get("total_size").asInt()).isEqualTo(1);
    assertThat(rules.get("entries").get(0).get("registry_url").asText()).isEqualTo("https://registry.example");
  }

  @Test
  void everyRepresentationHasExactlyTheFieldsItsWadlDeclares() throws Exception {
    Document wadl = parseXml(client.get(root, "Accept", "application/vnd.sun.wadl+xml").body());
    String location = client.post(root + recipe.path(), "requestBuilds").headers().firstValue("Location").orElseThrow();
    lp.advancePhases(1);
    JsonNode buildRequest = client.getJson(location);
    JsonNode build = client.getJson(buildRequest.get("builds_collection_link").asText()).get("entries").get(0);
    JsonNode rule = client.getJson(root + recipe.path() + "/push_rules").get("entries").get(0);
    String webhook = client.post(root + recipe.path(), "newWebhook", "delivery_url", "http://127.0.0.1:9/hook",
        "event_types", "[\"oci-recipe:build:0.1\"]").headers().firstValue("Location").orElseThrow();

    Map<String, JsonNode> samples = Map.of(
        "service-root-json", client.getJson(root),
        "oci_recipe-full", client.getJson(root + recipe.path()),
        "oci_recipe_build_request-full", buildRequest,
        "oci_recipe_build-full", client.getJson(build.get("self_link").asText()),
        "processor-full", client.getJson(root + "+processors/amd64"),
        "oci_push_rule-full", client.getJson(rule.get("self_link").asText()),
        "oci_project-full", client.getJson(root + "ubuntu-docker-images/+oci/redis"),
        "webhook-full", client.getJson(webhook),
        "person-full", client.getJson(root + "~ubuntu-docker-images"));
    for (Map.Entry<String, JsonNode> sample : samples.entrySet()) {
      assertThat(fieldNames(sample.getValue()))
          .as(sample.getKey())
          .isEqualTo(representationParams(wadl, sample.getKey()));
    }
  }

  @Test
  void datetimesAndEnumsUseLaunchpadsTextForms() {
    String location = client.post(root + recipe.path(), "requestBuilds").headers().firstValue("Location").orElseThrow();
    lp.advancePhases(2);
    JsonNode build = client.getJson(client.getJson(location).get("builds_collection_link").asText()).get("entries").get(0);

    assertThat(build.get("buildstate").asText()).isEqualTo("Currently building");
    assertThat(build.get("registry_upload_status").asText()).isEqualTo("Unscheduled");
    assertThat(build.get("datecreated").asText()).matches(DATETIME);
    assertThat(build.get("date_started").asText()).matches(DATETIME);
    assertThat(build.get("datebuilt").isNull()).isTrue();
    assertThat(build.get("title").asText()).isEqualTo(build.get("arch_tag").asText() + " build of /" + recipe.path());
    assertThat(build.get("recipe_link").asText()).isEqualTo(root + recipe.path());
    assertThat(build.get("resource_type_link").asText()).isEqualTo(root + "#oci_recipe_build");
  }

  @Test
  void processorsByNameAndAsCollection() {
    JsonNode arm64 = client.getJson(root + "+processors?ws.op=getByName&name=arm64");
    assertThat(arm64.get("self_link").asText()).isEqualTo(root + "+processors/arm64");
    assertThat(arm64.get("resource_type_link").asText()).isEqualTo(root + "#processor");

    HttpResponse<String> missing = client.get(root + "+processors?ws.op=getByName&name=vax");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("No such processor: 'vax'.");

    HttpResponse<String> noName = client.get(root + "+processors?ws.op=getByName");
    assertThat(noName.statusCode()).isEqualTo(400);
    assertThat(noName.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(noName.body()).isEqualTo("name: Required input is missing.");

    JsonNode all = client.getJson(root + "+processors");
    assertThat(names(all)).contains("amd64", "arm64", "ppc64el", "s390x", "riscv64");
  }

  @Test
  void meRedirectsToTheUser() {
    HttpResponse<String> r = client.get(root + "people/+me");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue(root + "~" + FakeLaunchpad.USER);
  }

  @Test
  void missingObjectsAre404WithText() {
    HttpResponse<String> recipeMissing = client.get(root + "~ubuntu-docker-images/ubuntu-docker-images/+oci/redis/+recipe/nope");
    assertThat(recipeMissing.statusCode()).isEqualTo(404);
    assertThat(recipeMissing.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(recipeMissing.body()).isEqualTo("No such OCI recipe exists for this OCI project");

    HttpResponse<String> buildMissing = client.get(root + recipe.path() + "/+build/999999");
    assertThat(buildMissing.statusCode()).isEqualTo(404);
    assertThat(buildMissing.body()).contains("name: '999999'");

    assertThat(client.get(root + recipe.path() + "/+build-request/7").statusCode()).isEqualTo(404);
    assertThat(client.get(root + "~nobody-here").statusCode()).isEqualTo(404);
  }

  @Test
  void badOperationsAre400WithText() {
    HttpResponse<String> unknown = client.post(root + recipe.path(), "explode");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(unknown.body()).isEqualTo("No such operation: explode");

    HttpResponse<String> noArgument = client.post(root + recipe.path(), "setProcessors");
    assertThat(noArgument.statusCode()).isEqualTo(400);
    assertThat(noArgument.body()).isEqualTo("processors: Required input is missing.");

    HttpResponse<String> notAList = client.post(root + recipe.path(), "setProcessors", "processors", "\"amd64\"");
    assertThat(notAList.statusCode()).isEqualTo(400);
    assertThat(notAList.body()).startsWith("processors: ");

    HttpResponse<String> foreign = client.post(root + recipe.path(), "setProcessors",
        "processors", "[\"https://api.launchpad.net/devel/+processors/amd64\"]");
    assertThat(foreign.statusCode()).isEqualTo(400);
    assertThat(foreign.body()).contains("item 0");
    assertThat(lp.recipeProcessors(recipe)).containsExactly("amd64", "arm64");
  }

  @Test
  void setProcessorsAnswersNullAndChangesTheRecipe() {
    HttpResponse<String> r = client.post(root + recipe.path(), "setProcessors",
        "processors", "[\"" + root + "+processors/s390x\", \"" + root + "+processors/amd64\"]");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(r.body()).isEqualTo("null");
    assertThat(lp.recipeProcessors(recipe)).containsExactly("amd64", "s390x");
    assertThat(lp.operationCount("setProcessors")).isEqualTo(1);
  }

  @Test
  void newPushRuleIsAFactory() {
    HttpResponse<String> r = client.post(root + recipe.path(), "newPushRule",
        "registry_url", "\"https://other.example\"", "image_name", "\"ubuntu/redis\"",
        "credentials", "{\"username\": \"u\", \"password\": \"p\"}");

    assertThat(r.statusCode()).isEqualTo(201);
    JsonNode rule = client.getJson(r.headers().firstValue("Location").orElseThrow());
    assertThat(rule.get("registry_url").asText()).isEqualTo("https://other.example");
    assertThat(rule.get("username").asText()).isEqualTo("u");
    assertThat(rule.toString()).doesNotContain("\"p\"");

    HttpResponse<String> duplicate = client.post(root + recipe.path(), "newPushRule",
        "registry_url", "https://other.example", "image_name", "ubuntu/redis",
        "credentials", "{\"username\": \"u\", \"password\": \"p\"}");
    assertThat(duplicate.statusCode()).isEqualTo(409);
  }

  // ---- helpers -------------------------------------------------------------------------------

  static Document parseXml(String xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<Element> all(Document doc) {
    NodeList nodes = doc.getElementsByTagNameNS(WADL_NS, "*");
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add((Element) nodes.item(i));
    }
    return out;
  }

  private static Set<String> ids(Document doc) {
    Set<String> ids = new HashSet<>();
    for (Element e : all(doc)) {
      if (!e.getAttribute("id").isEmpty()) {
        ids.add(e.getAttribute("id"));
      }
    }
    return ids;
  }

  private static Set<String> operations(Document doc, String typeId) {
    Set<String> ops = new TreeSet<>();
    for (Element type : all(doc)) {
      if (type.getLocalName().equals("resource_type") && type.getAttribute("id").equals(typeId)) {
        NodeList params = type.getElementsByTagNameNS(WADL_NS, "param");
        for (int i = 0; i < params.getLength(); i++) {
          Element p = (Element) params.item(i);
          if (p.getAttribute("name").equals("ws.op")) {
            ops.add(p.getAttribute("fixed"));
          }
        }
      }
    }
    return ops;
  }

  private static Set<String> representationParams(Document doc, String id) {
    for (Element e : all(doc)) {
      if (e.getLocalName().equals("representation") && e.getAttribute("id").equals(id)) {
        Set<String> names = new TreeSet<>();
        NodeList params = e.getElementsByTagNameNS(WADL_NS, "param");
        for (int i = 0; i < params.getLength(); i++) {
          names.add(((Element) params.item(i)).getAttribute("name"));
        }
        return names;
      }
    }
    throw new AssertionError("no representation " + id);
  }

  private static Set<String> fieldNames(JsonNode json) {
    Set<String> names = new TreeSet<>();
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  static List<String> names(JsonNode page) {
    Set<String> names = new LinkedHashSet<>();
    page.get("entries").forEach(e -> names.add(e.get("name").asText()));
    return List.copyOf(names);
  }
}
