package dev.imagebuilder.api;

/**
 * One image request. Each permitted type is an immutable record validated when built; reach
 * their builders through {@link #cloud()}, {@link #touch()} and {@link #oci()}.
 *
 * <pre>{@code
 * ImageRequest r = ImageRequest.oci().images("redis").series("22.04").build();
 * }</pre>
 */
public sealed interface ImageRequest permits CloudImageRequest, TouchImageRequest, OciImageRequest, OciPromotionRequest {

  /** The wire-format {@code image_type}: {@code cloud}, {@code touch}, {@code oci} or {@code oci_promotion}. */
  String imageType();

  /** The queue progress is reported to, or {@code null} for none. */
  String trigger();

  static CloudImageRequest.Builder cloud() {
    return new CloudImageRequest.Builder();
  }

  static TouchImageRequest.Builder touch() {
    return new TouchImageRequest.Builder();
  }

  static OciImageRequest.Builder oci() {
    return new OciImageRequest.Builder();
  }

  /** Promotion of OCI images already built (no rebuild). */
  static OciPromotionRequest.Builder ociPromotion() {
    return new OciPromotionRequest.Builder();
  }
}
