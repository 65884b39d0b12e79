package dev.imagebuilder.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.OciPromotion;
import dev.imagebuilder.api.OciPromotionRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Promotion in the wire format: {@code promote_*} keys on oci requests, and {@code oci_promotion}. */
class WireFormatPromotionTest {
  @Test
  void ociRequestWithPromotionRoundTrips() {
    OciImageRequest r = ImageRequest.oci().images("redis").series("22.04")
        .promotion(OciPromotion.to("beta").withAliases("{version}_{risk}", "latest")).build();

    String text = WireFormat.write(List.of(r));

    assertThat(text).contains("\"promote_to\"").contains("\"promote_aliases\"");
    assertThat(WireFormat.parse(text)).containsExactly(r);
  }

  @Test
  void promotionOnItsOwnRoundTrips() {
    OciPromotionRequest r = ImageRequest.ociPromotion().images("redis", "postgres")
        .promotion(new OciPromotion("beta", "stable", List.of())).trigger("q").build();

    List<ImageRequest> back = WireFormat.parse(WireFormat.write(List.of(r)));

    assertThat(back).containsExactly(r);
    assertThat(back.get(0).imageType()).isEqualTo("oci_promotion");
  }

  @Test
  void aPromotionWithoutTargetRiskIsRejectedNamingTheKey() {
    assertThatThrownBy(() -> WireFormat.parse("{\"image_type\": \"oci_promotion\", \"images\": [\"redis\"]}"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("promote_to");
    assertThatThrownBy(() -> WireFormat.parse("{\"image_type\": \"oci\", \"promote_aliases\": [\"latest\"]}"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("promote_to");
    assertThatThrownBy(() -> WireFormat.parse(
            "{\"image_type\": \"oci\", \"promote_to\": \"beta\", \"promote_aliases\": [\"bad tag!\"]}"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("promote_aliases").hasMessageContaining("bad tag!");
    assertThatThrownBy(() -> WireFormat.parse("{\"image_type\": \"oci\", \"promote_to\": \"edge\"}"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("promote_to");
  }
}
