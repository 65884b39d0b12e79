package dev.imagebuilder.launchpad.internal.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Series;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogTest {
  static final String BOTH = """
      {
        "recipes": {"redis": {"22.04": "~me/udi/+oci/redis/+recipe/redis-special",
                              "jammy": "~dup/x/+oci/redis/+recipe/dup"}},
        "template": {"owner": "ubuntu-docker-images", "project": "ubuntu-docker-images",
                     "recipe": "{image}-{series}",
                     "images": {"redis": ["20.04", "22.04"], "postgres": ["jammy", "24.04"]}}
      }
      """;

  @Test
  void explicitRecipesWinAndTemplatesFillIn() {
    Catalog c = Catalog.parse("launchpad.catalog", BOTH);
    assertThat(c.images()).containsExactly("redis", "postgres");
    assertThat(c.entries("redis")).extracting(Catalog.Entry::seriesName, Catalog.Entry::recipe).containsExactly(
        org.assertj.core.groups.Tuple.tuple("22.04", "~me/udi/+oci/redis/+recipe/redis-special"),
        org.assertj.core.groups.Tuple.tuple("20.04", "~ubuntu-docker-images/ubuntu-docker-images/+oci/redis/+recipe/redis-20.04"));
    assertThat(c.entries("postgres")).extracting(Catalog.Entry::recipe).containsExactly(
        "~ubuntu-docker-images/ubuntu-docker-images/+oci/postgres/+recipe/postgres-jammy",
        "~ubuntu-docker-images/ubuntu-docker-images/+oci/postgres/+recipe/postgres-24.04");
  }

  @Test
  void selectsBySeriesCodenameOrVersion() {
    Catalog c = Catalog.parse("launchpad.catalog", BOTH);
    assertThat(c.select(List.of(), List.of(Series.of("jammy"))))
        .extracting(e -> e.image() + " " + e.seriesName())
        .containsExactly("redis 22.04", "postgres 22.04");
    assertThat(c.select(List.of("postgres"), List.of())).hasSize(2);
  }

  @Test
  void unknownImageOrSeriesNamesTheValueAndWhatExists() {
    Catalog c = Catalog.parse("launchpad.catalog", BOTH);
    assertThatThrownBy(() -> c.select(List.of("mysql"), List.of()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'mysql'").hasMessageContaining("redis, postgres");
    assertThatThrownBy(() -> c.select(List.of("redis"), List.of(Series.of("18.04"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'18.04'").hasMessageContaining("22.04, 20.04");
  }

  @Test
  void malformedCatalogsAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> Catalog.parse("launchpad.catalog", "{"))
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> Catalog.parse("launchpad.catalog", "{\"recipe\": {}}"))
        .hasMessageContaining("unknown key 'recipe'");
    assertThatThrownBy(() -> Catalog.parse("launchpad.catalog", "{\"recipes\": {\"redis\": {\"22.04\": 5}}}"))
        .hasMessageContaining("recipes.redis.22.04");
    assertThatThrownBy(() -> Catalog.parse("launchpad.catalog", "{\"recipes\": {\"redis\": {\"22_04\": \"x\"}}}"))
        .hasMessageContaining("'22_04' is not a series");
    assertThatThrownBy(() -> Catalog.parse("launchpad.catalog",
        "{\"template\": {\"owner\": \"o\", \"recipe\": \"r\", \"images\": {}}}"))
        .hasMessageContaining("template.project");
    assertThatThrownBy(() -> Catalog.parse("launchpad.catalog", "{}"))
        .hasMessageContaining("lists no image");
  }

  @Test
  void pushRulesOverridePerImageOrForAll() {
    Catalog c = Catalog.parse("catalog", """
        {"recipes": {"redis": {"22.04": "~o/p/+oci/redis/+recipe/r"}, "nginx": {"22.04": "~o/p/+oci/nginx/+recipe/n"}},
         "push_rules": {"redis": [{"registry_url": "https://a.example", "image_name": "ubuntu/redis"}],
                        "*": [{"registry_url": "https://b.example", "image_name": "ubuntu/all"}]}}
        """);
    assertThat(c.pushRules("redis")).contains(List.of(new Catalog.PushRule("https://a.example", "ubuntu/redis")));
    assertThat(c.pushRules("nginx")).contains(List.of(new Catalog.PushRule("https://b.example", "ubuntu/all")));
    assertThat(Catalog.parse("catalog", "{\"recipes\": {\"redis\": {\"22.04\": \"x\"}}}").pushRules("redis")).isEmpty();
  }

  @Test
  void badPushRulesAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> Catalog.parse("catalog", """
        {"recipes": {"redis": {"22.04": "x"}}, "push_rules": {"redis": [{"registry_url": "https://a.example"}]}}
        """)).isInstanceOf(InvalidRequestException.class).hasMessageContaining("push_rules.redis[0].image_name");
    assertThatThrownBy(() -> Catalog.parse("catalog", """
        {"recipes": {"redis": {"22.04": "x"}}, "push_rules": {"redis": []}}
        """)).isInstanceOf(InvalidRequestException.class).hasMessageContaining("push_rules.redis must be a non-empty list");
  }
}
