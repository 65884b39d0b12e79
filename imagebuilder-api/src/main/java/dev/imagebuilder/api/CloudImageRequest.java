package dev.imagebuilder.api;

import java.net.URI;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A cloud image: the base image at {@code image} (http, https or file URL) customized for
 * {@code series} with extra PPAs and packages, produced as a new disk image.
 */
public record CloudImageRequest(
    URI image, Series series, List<Ppa> ppas, List<PackageSpec> packages, String trigger)
    implements ImageRequest {

  static final List<String> IMAGE_SCHEMES = List.of("https", "http", "file");

  public CloudImageRequest {
    Checks.absoluteUri("image", Checks.required("image", image), IMAGE_SCHEMES);
    Checks.required("series", series);
    ppas = Checks.distinct(ppas);
    packages = Checks.distinct(packages);
    trigger = Checks.trigger(trigger);
  }

  @Override
  public String imageType() {
    return "cloud";
  }

  /** A builder with this request's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.image = image;
    b.series = series;
    b.ppas = ppas;
    b.packages = packages;
    b.trigger = trigger;
    return b;
  }

  /** Builds a {@link CloudImageRequest}; setters may be called in any order. */
  public static final class Builder {
    private URI image;
    private Series series;
    private List<Ppa> ppas = List.of();
    private List<PackageSpec> packages = List.of();
    private String trigger;

    Builder() {}

    public Builder image(URI image) {
      this.image = image;
      return this;
    }

    public Builder image(String image) {
      this.image = Checks.parseUri("image", image, IMAGE_SCHEMES);
      return this;
    }

    public Builder series(String series) {
      this.series = Series.of(series);
      return this;
    }

    public Builder series(Series series) {
      this.series = series;
      return this;
    }

    public Builder ppas(String... ppas) {
      return ppas(Arrays.asList(ppas));
    }

    public Builder ppas(Collection<String> ppas) {
      this.ppas = Checks.list("ppas", ppas, Ppa::of);
      return this;
    }

    public Builder packages(String... packages) {
      return packages(Arrays.asList(packages));
    }

    public Builder packages(Collection<String> packages) {
      this.packages = Checks.list("packages", packages, PackageSpec::of);
      return this;
    }

    public Builder trigger(String trigger) {
      this.trigger = trigger;
      return this;
    }

    public CloudImageRequest build() {
      return new CloudImageRequest(image, series, ppas, packages, trigger);
    }
  }
}
