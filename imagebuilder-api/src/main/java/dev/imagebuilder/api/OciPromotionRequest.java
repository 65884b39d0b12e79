package dev.imagebuilder.api;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Promotion of OCI images that are already built, with no rebuild: for each selected
 * (image, series) of the catalog, the tags of {@link OciPromotion} are written in every registry
 * of the recipe's push rules. One target per (image, series); it succeeds when every tag in every
 * registry was written (or already pointed at the digest), and its outputs name, per registry,
 * the image reference, the tag and the digest.
 *
 * @param images the catalog's image names; empty means every image
 * @param series the series; empty means every series of each image
 * @param architectures the architectures the {@code from} manifest list must hold before it is
 *     promoted; empty means each recipe's own
 * @param promotion what to promote to
 */
public record OciPromotionRequest(
    List<String> images,
    List<Series> series,
    List<Architecture> architectures,
    OciPromotion promotion,
    String trigger)
    implements ImageRequest {

  public OciPromotionRequest {
    images = Checks.list("images", images, OciImageRequest::image);
    series = Checks.distinct(series);
    architectures = Checks.distinct(architectures);
    promotion = Checks.required("promotion", promotion);
    trigger = Checks.trigger(trigger);
  }

  @Override
  public String imageType() {
    return "oci_promotion";
  }

  /** Builds an {@link OciPromotionRequest}. */
  public static final class Builder {
    private List<String> images = List.of();
    private List<Series> series = List.of();
    private List<Architecture> architectures = List.of();
    private OciPromotion promotion;
    private String trigger;

    Builder() {}

    public Builder images(String... images) {
      return images(Arrays.asList(images));
    }

    public Builder images(Collection<String> images) {
      this.images = Checks.list("images", images, OciImageRequest::image);
      return this;
    }

    public Builder series(String... series) {
      return series(Arrays.asList(series));
    }

    public Builder series(Collection<String> series) {
      this.series = Checks.list("series", series, Series::of);
      return this;
    }

    public Builder architectures(Architecture... architectures) {
      return architectures(Arrays.asList(architectures));
    }

    public Builder architectures(Collection<Architecture> architectures) {
      this.architectures = Checks.list("architectures", architectures, a -> a);
      return this;
    }

    public Builder promotion(OciPromotion promotion) {
      this.promotion = promotion;
      return this;
    }

    public Builder trigger(String trigger) {
      this.trigger = trigger;
      return this;
    }

    public OciPromotionRequest build() {
      return new OciPromotionRequest(images, series, architectures, promotion, trigger);
    }
  }
}
