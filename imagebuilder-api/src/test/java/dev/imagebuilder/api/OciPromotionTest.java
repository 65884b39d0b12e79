package dev.imagebuilder.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OciPromotionTest {
  @Test
  void fromIsEdgeUnlessGivenAndAliasesAreKept() {
    OciPromotion p = new OciPromotion(null, "beta", null).withAliases("{version}_{risk}", "latest");
    assertThat(p.from()).isEqualTo("edge");
    assertThat(p.aliases()).containsExactly("{version}_{risk}", "latest");
    assertThat(OciPromotion.namesSeries("{version}_{risk}")).isTrue();
    assertThat(OciPromotion.namesSeries("latest")).isFalse();
  }

  @Test
  void badValuesAreRejectedNamingTheFieldAndValue() {
    assertThatThrownBy(() -> OciPromotion.to("edge")).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("to").hasMessageContaining("'edge' is the risk promoted from");
    assertThatThrownBy(() -> OciPromotion.to("Beta!")).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'Beta!' is not a risk");
    assertThatThrownBy(() -> OciPromotion.to(null)).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> OciPromotion.to("beta").withAliases("{nope}")).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'{nope}' is not a tag template");
    assertThatThrownBy(() -> OciPromotion.to("beta").withAliases("-x")).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void aPromotionRequestNeedsAPromotionAndValidImages() {
    assertThatThrownBy(() -> ImageRequest.ociPromotion().images("redis").build())
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("promotion");
    assertThatThrownBy(() -> ImageRequest.ociPromotion().images("bad image").promotion(OciPromotion.to("beta")).build())
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'bad image'");
    OciPromotionRequest r = ImageRequest.ociPromotion().series("jammy").promotion(OciPromotion.to("beta")).build();
    assertThat(r.imageType()).isEqualTo("oci_promotion");
    assertThat(r.series()).containsExactly(Series.of("22.04"));
    assertThat(ImageRequest.oci().build().promotion()).isNull();
    assertThat(ImageRequest.oci().promotion(OciPromotion.to("beta")).build().toBuilder().build().promotion())
        .isEqualTo(new OciPromotion("edge", "beta", List.of()));
  }
}
