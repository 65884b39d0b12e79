package dev.imagebuilder.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChallengeTest {
  @Test
  void bearerWithQuotedScopesHoldingSpacesAndCommas() {
    Challenge c = Challenge.parse("Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
        + "scope=\"repository:a/b:pull,push repository:c:pull\",error=\"insufficient_scope\"").orElseThrow();
    assertThat(c.bearer()).isTrue();
    assertThat(c.param("realm")).contains("https://auth.example/token");
    assertThat(c.param("service")).contains("registry.example");
    assertThat(c.scopes()).containsExactly("repository:a/b:pull,push", "repository:c:pull");
    assertThat(c.insufficientScope()).isTrue();
  }

  @Test
  void basicWithUnquotedRealmAndOtherSchemesAreSkipped() {
    Challenge c = Challenge.first(List.of("Negotiate", "basic realm=registry")).orElseThrow();
    assertThat(c.basic()).isTrue();
    assertThat(c.param("realm")).contains("registry");
    assertThat(Challenge.first(List.of("Negotiate abc"))).isEmpty();
  }
}
