package dev.imagebuilder.testkit;

import dev.imagebuilder.core.ImageBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts a {@link FakeLaunchpad} for each test (or once per class) and resolves test and
 * lifecycle method parameters of type {@link FakeLaunchpad} and {@link ImageBuilder}. The
 * ImageBuilder is pointed at the fake: service root, its credentials, a catalog file the fake
 * keeps up to date as recipes are added, and a 100 ms poll interval. Both are closed after the
 * test (the fake after the class when shared).
 *
 * <pre>{@code
 * @ExtendWith(FakeLaunchpadExtension.class)            // a fresh fake per test
 * class MyTest {
 *   @Test void builds(FakeLaunchpad lp, ImageBuilder builder) { ... }
 * }
 *
 * class SharedTest {
 *   @RegisterExtension                                  // one fake for the class, real time
 *   static final FakeLaunchpadExtension LP = FakeLaunchpadExtension.perClass()
 *       .configure(b -> b.realTime(Duration.ofMillis(200)));
 * }
 * }</pre>
 */
public final class FakeLaunchpadExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FakeLaunchpadExtension.class);
  private static final String LAUNCHPAD = "launchpad";
  private static final String BUILDER = "builder";
  private static final String FILES = "files";

  private final boolean perClass;
  private Consumer<FakeLaunchpad.Builder> settings = b -> { };
  private boolean demo;

  /** A fresh fake per test (the form {@code @ExtendWith} uses). */
  public FakeLaunchpadExtension() {
    this(false);
  }

  private FakeLaunchpadExtension(boolean perClass) {
    this.perClass = perClass;
  }

  public static FakeLaunchpadExtension perTest() {
    return new FakeLaunchpadExtension(false);
  }

  /** One fake for all tests of the class (register it on a static field). */
  public static FakeLaunchpadExtension perClass() {
    return new FakeLaunchpadExtension(true);
  }

  /** Adjusts the fake's settings (port, phase, real time, ...) before it starts. */
  public FakeLaunchpadExtension configure(Consumer<FakeLaunchpad.Builder> settings) {
    this.settings = settings;
    return this;
  }

  /** Installs {@link DemoData} into each fake this extension starts. */
  public FakeLaunchpadExtension withDemoData() {
    this.demo = true;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (perClass) {
      context.getStore(NS).put(LAUNCHPAD, newFake());
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (context.getStore(NS).get(LAUNCHPAD, FakeLaunchpad.class) == null) {
      context.getStore(NS).put(LAUNCHPAD, newFake());
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    closeOwn(context);
  }

  /**
   * The class's own ImageBuilder, files and fake: an ImageBuilder resolved for a {@code @BeforeAll}
   * method or a constructor lives in the class's store, which {@link #afterEach} does not touch.
   */
  @Override
  public void afterAll(ExtensionContext context) {
    closeOwn(context);
  }

  /** Closes what this context's own store holds (Store.remove does not reach parent stores). */
  private static void closeOwn(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NS);
    ImageBuilder builder = store.remove(BUILDER, ImageBuilder.class);
    if (builder != null) {
      builder.close();
    }
    deleteTree(store.remove(FILES, Path.class));
    FakeLaunchpad fake = store.remove(LAUNCHPAD, FakeLaunchpad.class);
    if (fake != null) {
      fake.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == FakeLaunchpad.class || type == ImageBuilder.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    FakeLaunchpad fake = launchpad(context);
    if (parameter.getParameter().getType() == FakeLaunchpad.class) {
      return fake;
    }
    ExtensionContext.Store store = context.getStore(NS);
    ImageBuilder builder = store.get(BUILDER, ImageBuilder.class);
    if (builder == null) {
      builder = newImageBuilder(fake, store);
      store.put(BUILDER, builder);
    }
    return builder;
  }

  /** The fake of the current test (or class). */
  public FakeLaunchpad launchpad(ExtensionContext context) {
    FakeLaunchpad fake = context.getStore(NS).get(LAUNCHPAD, FakeLaunchpad.class);
    if (fake == null) {
      // Resolved before beforeEach (constructor or @BeforeAll parameter): start it now.
      fake = newFake();
      context.getStore(NS).put(LAUNCHPAD, fake);
    }
    return fake;
  }

  private FakeLaunchpad newFake() {
    FakeLaunchpad.Builder builder = FakeLaunchpad.builder();
    settings.accept(builder);
    FakeLaunchpad fake = builder.start();
    if (demo) {
      DemoData.install(fake);
    }
    return fake;
  }

  private static ImageBuilder newImageBuilder(FakeLaunchpad fake, ExtensionContext.Store store) {
    try {
      Path dir = Files.createTempDirectory("fake-launchpad");
      store.put(FILES, dir);
      Path catalog = fake.writeCatalog(dir.resolve("launchpad-catalog.json"));
      fake.writeCredentials(dir.resolve("launchpad-credentials"));
      LaunchpadCredentials credentials = fake.credentials();
      return ImageBuilder.newBuilder()
          .config("launchpad.service-root", fake.serviceRoot().toString())
          .config("launchpad.consumer-key", credentials.consumerKey())
          .config("launchpad.access-token", credentials.accessToken())
          .config("launchpad.access-secret", credentials.accessSecret())
          .config("launchpad.catalog", catalog.toString())
          .config("launchpad.poll-interval", "100ms")
          .stateDirectory(dir.resolve("state"))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is not worth failing a test for
    }
  }
}
