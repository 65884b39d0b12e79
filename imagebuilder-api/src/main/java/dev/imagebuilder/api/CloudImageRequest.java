package dev.imagebuilder.api;

import java.net.URI;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A cloud image: the base image at {@code image} (http, https or file URL) customized for
 * {@code series} with extra PPAs and packages, produced as a new disk image at
 * {@code destination} (a local file unless told otherwise; {@code null} means that too).
 */
public record CloudImageRequest(
    URI image, Series series, List<Ppa> ppas, List<PackageSpec> packages, String trigger,
    CloudDestination destination)
    implements ImageRequest {

  static final List<String> IMAGE_SCHEMES = List.of("https", "http", "file");

  public CloudImageRequest {
    Checks.absoluteUri("image", Checks.required("image", image), IMAGE_SCHEMES);
    Checks.required("series", series);
    ppas = Checks.distinct(ppas);
    packages = Checks.distinct(packages);
    trigger = Checks.trigger(trigger);
    destination = destination == null ? CloudDestination.FILE : destination;
  }

  /** A request whose image goes to a local file. */
  public CloudImageRequest(
      URI image, Series series, List<Ppa> ppas, List<PackageSpec> packages, String trigger) {
    this(image, series, ppas, packages, trigger, CloudDestination.FILE);
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
    b.destination = destination;
    return b;
  }

  /** Builds a {@link CloudImageRequest}; setters may be called in any order. */
  public static final class Builder {
    private URI image;
    private Series series;
    private List<Ppa> ppas = List.of();
    private List<PackageSpec> packages = List.of();
    private String trigger;
    private CloudDestination destination = CloudDestination.FILE;

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

    /** {@code file} (the default), {@code glance} or {@code glance:NAME}. */
    public Builder destination(String destination) {
      this.destination = CloudDestination.of(destination);
      return this;
    }

    public Builder destination(CloudDestination destination) {
      this.destination = destination;
      return this;
    }

    public CloudImageRequest build() {
      return new CloudImageRequest(image, series, ppas, packages, trigger, destination);
    }
  }
}
