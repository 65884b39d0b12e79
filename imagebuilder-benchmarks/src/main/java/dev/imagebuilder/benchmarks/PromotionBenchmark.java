package dev.imagebuilder.benchmarks;

import dev.imagebuilder.registry.ImageReference;
import dev.imagebuilder.registry.Promoter;
import dev.imagebuilder.registry.PromotionResult;
import dev.imagebuilder.testkit.FakeRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Promotion of {@code images x series} Launchpad-shaped multi-arch images (a Docker manifest
 * list of 4 schema2 manifests, one config and one layer each) against the test kit's
 * {@link FakeRegistry}, three ways side by side in one run: a retag within the repository, a
 * cross-repository mount in the same registry, and a copy to another registry. Reports the
 * requests the registry served and the blob bytes it received and served: a retag and a mount
 * must move no layer bytes. Times are shown as ratios to the retag (same JVM, same run).
 *
 * <p>Arguments (all optional): {@code images=100 series=3 archs=4}.
 */
public final class PromotionBenchmark {
  private static final List<String> ALL_SERIES = List.of("20.04", "22.04", "24.04", "24.10", "25.04");
  private static final List<String> ALL_ARCHS = List.of("amd64", "arm64", "ppc64el", "s390x", "riscv64");

  private PromotionBenchmark() {}

  private record Run(String name, long requests, long bytesIn, long bytesOut, long nanos, int tags, boolean ok) {}

  public static void main(String[] args) {
    Map<String, String> a = new TreeMap<>();
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      a.put(kv[0], kv.length > 1 ? kv[1] : "");
    }
    int images = Integer.parseInt(a.getOrDefault("images", "100"));
    int series = Math.min(ALL_SERIES.size(), Integer.parseInt(a.getOrDefault("series", "3")));
    int archs = Math.min(ALL_ARCHS.size(), Integer.parseInt(a.getOrDefault("archs", "4")));
    System.out.printf("Java %s, %d processors; %d images x %d series x %d architectures%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), images, series, archs);

    try (FakeRegistry registry = FakeRegistry.builder().build().start();
        FakeRegistry other = FakeRegistry.builder().build().start()) {
      List<ImageReference> edges = new ArrayList<>();
      for (int i = 0; i < images; i++) {
        for (String s : ALL_SERIES.subList(0, series)) {
          String repo = "ubuntu/image" + i;
          registry.pushImage(repo, "1.0-" + s + "_edge", ALL_ARCHS.subList(0, archs));
          edges.add(new ImageReference(registry.uri(), repo, "1.0-" + s + "_edge"));
        }
      }
      Promoter promoter = Promoter.builder().build();
      // Warm-up (JIT, connections) on a tag nobody measures.
      promoter.promote(edges.get(0), List.of(edges.get(0).withTag("warm-up")));

      List<Run> runs = new ArrayList<>();
      runs.add(measure("retag, same repository", registry, other, edges, promoter,
          e -> List.of(e.withTag(e.tag().replace("_edge", "_beta")), e.withTag(e.tag().substring(4, 9) + "_beta"))));
      runs.add(measure("mount, other repository", registry, other, edges, promoter,
          e -> List.of(new ImageReference(e.registry(), e.repository().replace("ubuntu/", "release/"),
              e.tag().replace("_edge", "_stable")))));
      runs.add(measure("copy, other registry", registry, other, edges, promoter,
          e -> List.of(new ImageReference(other.uri(), e.repository(), e.tag().replace("_edge", "_stable")))));

      Run base = runs.get(0);
      System.out.printf("%n%-26s %10s %10s %14s %14s %10s %8s%n", "", "promotions", "requests", "blob bytes in",
          "blob bytes out", "req/promo", "time");
      for (Run r : runs) {
        System.out.printf("%-26s %10d %10d %14d %14d %10.1f %7.2fx%s%n", r.name(), edges.size(), r.requests(),
            r.bytesIn(), r.bytesOut(), (double) r.requests() / edges.size(), (double) r.nanos() / base.nanos(),
            r.ok() ? "" : "  FAILED");
      }
      System.out.printf("%nretag: %d tags written with %d requests (1 GET + 1 HEAD and 1 PUT per tag); "
          + "no layer bytes moved: %s%n", base.tags(), base.requests(), base.bytesIn() == 0 && base.bytesOut() == 0);
      System.out.printf("mount: no layer bytes moved: %s%n", runs.get(1).bytesIn() == 0 && runs.get(1).bytesOut() == 0);
    }
  }

  private static Run measure(String name, FakeRegistry registry, FakeRegistry other, List<ImageReference> edges,
      Promoter promoter, java.util.function.Function<ImageReference, List<ImageReference>> targets) {
    registry.resetCounters();
    other.resetCounters();
    boolean ok = true;
    int tags = 0;
    long t0 = System.nanoTime();
    for (ImageReference e : edges) {
      List<ImageReference> t = targets.apply(e);
      PromotionResult r = promoter.promote(e, t);
      ok &= r.succeeded();
      tags += t.size();
    }
    long nanos = System.nanoTime() - t0;
    return new Run(name, registry.requestCount() + other.requestCount(),
        registry.blobBytesReceived() + other.blobBytesReceived(), registry.blobBytesServed() + other.blobBytesServed(),
        nanos, tags, ok);
  }
}
