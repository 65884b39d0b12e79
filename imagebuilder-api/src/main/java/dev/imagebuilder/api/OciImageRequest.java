package dev.imagebuilder.api;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * OCI image (re)builds by Launchpad OCI recipes.
 *
 * @param images the catalog's image names; empty means every image in the catalog
 * @param series the series to build; empty means every series of each image
 * @param architectures the architectures to build; empty means each recipe's own
 * @param autoRetryUploads how many times a failed registry upload is scheduled again (0: never)
 * @param promotion tags to write once every target of an (image, series) has SUCCEEDED (its
 *     manifest list is in the registries), or {@code null} for none
 */
public record OciImageRequest(
    List<String> images,
    List<Series> series,
    List<Architecture> architectures,
    int autoRetryUploads,
    String trigger,
    OciPromotion promotion)
    implements ImageRequest {

  /** The most upload retries a request may ask for. */
  public static final int MAX_AUTO_RETRY_UPLOADS = 100;

  private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

  public OciImageRequest {
    images = Checks.list("images", images, OciImageRequest::image);
    series = Checks.distinct(series);
    architectures = Checks.distinct(architectures);
    if (autoRetryUploads < 0 || autoRetryUploads > MAX_AUTO_RETRY_UPLOADS) {
      throw new InvalidRequestException("autoRetryUploads", Checks.quote(autoRetryUploads)
          + " is out of range (0 to " + MAX_AUTO_RETRY_UPLOADS + ")");
    }
    trigger = Checks.trigger(trigger);
  }

  /** A request without promotion. */
  public OciImageRequest(List<String> images, List<Series> series, List<Architecture> architectures,
      int autoRetryUploads, String trigger) {
    this(images, series, architectures, autoRetryUploads, trigger, null);
  }

  @Override
  public String imageType() {
    return "oci";
  }

  /** A builder with this request's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.images = images;
    b.series = series;
    b.architectures = architectures;
    b.autoRetryUploads = autoRetryUploads;
    b.trigger = trigger;
    b.promotion = promotion;
    return b;
  }

  static String image(String name) {
    String s = name.strip();
    if (!IMAGE.matcher(s).matches()) {
      throw new InvalidRequestException("images", Checks.quote(name)
          + " is not an image name (letters, digits, '.', '_', '+', '-')");
    }
    return s;
  }

  /** Builds an {@link OciImageRequest}; setters may be called in any order. */
  public static final class Builder {
    private List<String> images = List.of();
    private List<Series> series = List.of();
    private List<Architecture> architectures = List.of();
    private int autoRetryUploads;
    private String trigger;
    private OciPromotion promotion;

    Builder() {}

    public Builder images(String... images) {
      return images(Arrays.asList(images));
    }

    public Builder images(Collection<String> images) {
      this.images = Checks.list("images", images, OciImageRequest::image);
      return this;
    }

    /** Series by codename or version ({@code "jammy"} or {@code "22.04"}). */
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

    public Builder autoRetryUploads(int times) {
      this.autoRetryUploads = times;
      return this;
    }

    public Builder trigger(String trigger) {
      this.trigger = trigger;
      return this;
    }

    /** Promotes each (image, series) once all its targets have SUCCEEDED; {@code null}: no promotion. */
    public Builder promotion(OciPromotion promotion) {
      this.promotion = promotion;
      return this;
    }

    public OciImageRequest build() {
      return new OciImageRequest(images, series, architectures, autoRetryUploads, trigger, promotion);
    }
  }
}
