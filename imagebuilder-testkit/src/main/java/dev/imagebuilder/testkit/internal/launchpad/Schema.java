package dev.imagebuilder.testkit.internal.launchpad;

import java.util.List;
import java.util.Set;

/**
 * The resource types this fake implements, with the field and operation names of Launchpad's
 * devel WADL. The WADL it serves is generated from this, and the tests check that every JSON
 * representation carries exactly these fields.
 */
public final class Schema {
  private Schema() {}

  /** A representation field. {@code linkType} is a resource type id ("" for an untyped link). */
  public record Field(String name, String linkType, boolean datetime, List<String> options) {
    static Field plain(String name) { return new Field(name, null, false, List.of()); }
    static Field time(String name) { return new Field(name, null, true, List.of()); }
    static Field link(String name, String type) { return new Field(name, type, false, List.of()); }
    static Field choice(String name, String... options) { return new Field(name, null, false, List.of(options)); }
    boolean isLink() { return linkType != null; }
  }

  /** A named operation parameter. */
  public record Param(String name, boolean required, String linkType) {}

  /**
   * A named operation: GET (query) or POST (form). {@code factoryType} is set for factories
   * (201 + Location of that type); {@code returns} names the representation a GET returns.
   */
  public record Operation(String name, String method, List<Param> params, String factoryType, String returns) {}

  /** An entry type, its fields (after the standard four) and operations. */
  public record EntryType(String id, boolean webLink, List<Field> fields, List<Operation> operations) {}

  static final String[] BUILDSTATES = {
    "Needs building", "Successfully built", "Failed to build", "Dependency wait", "Chroot problem",
    "Build for superseded Source", "Currently building", "Failed to upload", "Uploading build",
    "Cancelling build", "Cancelled build", "Gathering build output"};

  static final String[] UPLOAD_STATUSES = {"Unscheduled", "Pending", "Failed to upload", "Uploaded", "Superseded"};

  public static final EntryType OCI_RECIPE = new EntryType("oci_recipe", true, List.of(
      Field.plain("allow_internet"),
      Field.plain("build_args"),
      Field.plain("build_daily"),
      Field.plain("build_file"),
      Field.plain("build_path"),
      Field.time("date_created"),
      Field.time("date_last_modified"),
      Field.plain("description"),
      Field.link("git_ref_link", ""),
      Field.plain("image_name"),
      Field.choice("information_type", "Public", "Public Security", "Private Security", "Private",
          "Proprietary", "Embargoed"),
      Field.plain("name"),
      Field.link("oci_project_link", "oci_project"),
      Field.link("owner_link", "person"),
      Field.link("processors_collection_link", "processor-page-resource"),
      Field.link("push_rules_collection_link", "oci_push_rule-page-resource"),
      Field.link("registrant_link", "person"),
      Field.link("webhooks_collection_link", "webhook-page-resource")),
      List.of(
          new Operation("requestBuilds", "POST", List.of(), "oci_recipe_build_request", null),
          new Operation("setProcessors", "POST", List.of(new Param("processors", true, null)), null, null),
          new Operation("newWebhook", "POST", List.of(new Param("delivery_url", true, null),
              new Param("event_types", true, null), new Param("active", false, null), new Param("secret", false, null)),
              "webhook", null),
          new Operation("newPushRule", "POST", List.of(
              new Param("registry_url", true, null), new Param("image_name", true, null),
              new Param("credentials", true, null), new Param("credentials_owner", false, "person")),
              "oci_push_rule", null)));

  public static final EntryType OCI_RECIPE_BUILD_REQUEST = new EntryType("oci_recipe_build_request", true,
      List.of(
          Field.link("builds_collection_link", "oci_recipe_build-page-resource"),
          Field.time("date_finished"),
          Field.time("date_requested"),
          Field.plain("error_message"),
          Field.link("recipe_link", "oci_recipe"),
          Field.choice("status", "Pending", "Failed", "Completed")),
      List.of());

  public static final EntryType OCI_RECIPE_BUILD = new EntryType("oci_recipe_build", true, List.of(
      Field.plain("arch_tag"),
      Field.link("archive_link", ""),
      Field.plain("build_log_url"),
      Field.link("builder_link", ""),
      Field.choice("buildstate", BUILDSTATES),
      Field.plain("can_be_cancelled"),
      Field.plain("can_be_rescored"),
      Field.plain("can_be_retried"),
      Field.time("date"),
      Field.time("date_first_dispatched"),
      Field.time("date_started"),
      Field.time("datebuilt"),
      Field.time("datecreated"),
      Field.plain("dependencies"),
      Field.link("distribution_link", ""),
      Field.link("distro_arch_series_link", ""),
      Field.link("distro_series_link", ""),
      Field.plain("duration"),
      Field.plain("estimate"),
      Field.time("eta"),
      Field.choice("pocket", "Release", "Security", "Updates", "Proposed", "Backports"),
      Field.link("recipe_link", "oci_recipe"),
      Field.plain("registry_upload_error_summary"),
      Field.plain("registry_upload_errors"),
      Field.choice("registry_upload_status", UPLOAD_STATUSES),
      Field.link("requester_link", "person"),
      Field.plain("score"),
      Field.plain("title"),
      Field.plain("upload_log_url")),
      List.of(
          new Operation("getFileUrls", "GET", List.of(), null, ""),
          new Operation("retry", "POST", List.of(), null, null),
          new Operation("cancel", "POST", List.of(), null, null),
          new Operation("scheduleRegistryUpload", "POST", List.of(), null, null)));

  public static final EntryType PROCESSOR = new EntryType("processor", false, List.of(
      Field.plain("build_by_default"),
      Field.plain("description"),
      Field.plain("name"),
      Field.plain("restricted"),
      Field.plain("supports_nonvirtualized"),
      Field.plain("supports_virtualized"),
      Field.plain("title")),
      List.of());

  public static final EntryType OCI_PUSH_RULE = new EntryType("oci_push_rule", true, List.of(
      Field.plain("image_name"),
      Field.plain("registry_url"),
      Field.plain("username")),
      List.of());

  public static final EntryType OCI_PROJECT = new EntryType("oci_project", true, List.of(
      Field.time("date_created"),
      Field.time("date_last_modified"),
      Field.plain("description"),
      Field.plain("display_name"),
      Field.link("distribution_link", ""),
      Field.plain("name"),
      Field.link("project_link", ""),
      Field.link("registrant_link", "person")),
      List.of());

  /** A recipe's webhook (devel; launchpad-webhooks.md §5): no secret, which Launchpad never shows. */
  public static final EntryType WEBHOOK = new EntryType("webhook", true, List.of(
      Field.plain("active"),
      Field.time("date_created"),
      Field.time("date_last_modified"),
      Field.link("deliveries_collection_link", ""),
      Field.plain("delivery_url"),
      Field.plain("event_types"),
      Field.plain("git_ref_pattern"),
      Field.link("registrant_link", "person"),
      Field.link("target_link", "")),
      List.of());

  /** Entry types a client may DELETE. */
  static final Set<String> DELETABLE = Set.of("oci_push_rule", "webhook");

  /** A subset of Launchpad's person fields: enough to identify owners, requesters and "me". */
  public static final EntryType PERSON = new EntryType("person", true, List.of(
      Field.plain("display_name"),
      Field.plain("is_team"),
      Field.plain("name")),
      List.of());

  public static final List<EntryType> ENTRIES =
      List.of(OCI_RECIPE, OCI_RECIPE_BUILD_REQUEST, OCI_RECIPE_BUILD, PROCESSOR, OCI_PUSH_RULE, OCI_PROJECT, WEBHOOK, PERSON);

  /** The top-level {@code processors} collection and its named GET. */
  public static final Operation PROCESSORS_GET_BY_NAME =
      new Operation("getByName", "GET", List.of(new Param("name", true, null)), null, "processor-full");

  /** The service root's links: name to the resource type it points to. */
  public static final List<Field> ROOT_LINKS = List.of(
      Field.link("me_link", "person"),
      Field.link("processors_collection_link", "processors"));
}
