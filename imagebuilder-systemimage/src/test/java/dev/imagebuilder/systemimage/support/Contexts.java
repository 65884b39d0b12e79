package dev.imagebuilder.systemimage.support;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.HttpService;

/** Reaches the core's HTTP service the way a backend gets it. */
public final class Contexts {
  private Contexts() {}

  /** The core's HttpService: an ImageBuilder with a provider that records its context. */
  public static HttpService http(ImageBuilder ignored) {
    java.util.concurrent.atomic.AtomicReference<HttpService> http = new java.util.concurrent.atomic.AtomicReference<>();
    ImageBuilder b = ImageBuilder.newBuilder().discoverBackends(false).backend(new dev.imagebuilder.spi.BackendProvider() {
      @Override public String name() { return "probe"; }
      @Override public boolean supports(Class<? extends ImageRequest> t) { return true; }
      @Override public dev.imagebuilder.spi.Backend create(dev.imagebuilder.spi.BackendContext c) {
        http.set(c.http());
        return new dev.imagebuilder.spi.Backend() {
          @Override public dev.imagebuilder.api.Plan plan(ImageRequest r) {
            return new dev.imagebuilder.api.Plan(r, "probe", java.util.List.of(), java.util.List.of());
          }
          @Override public dev.imagebuilder.spi.BuildJob start(ImageRequest r, dev.imagebuilder.spi.BuildContext c) {
            throw new UnsupportedOperationException();
          }
          @Override public dev.imagebuilder.spi.BuildJob resume(ImageRequest r, java.util.Map<String, Object> s,
              dev.imagebuilder.spi.BuildContext c) {
            throw new UnsupportedOperationException();
          }
          @Override public dev.imagebuilder.spi.BuildJob retry(ImageRequest r, java.util.Map<String, Object> s,
              java.util.Set<String> k, dev.imagebuilder.spi.BuildContext c) {
            throw new UnsupportedOperationException();
          }
        };
      }
    }).build();
    b.plan(ImageRequest.touch().systemImageServer("http://127.0.0.1:9").channel("c").series("focal").build());
    return http.get();
  }
}
