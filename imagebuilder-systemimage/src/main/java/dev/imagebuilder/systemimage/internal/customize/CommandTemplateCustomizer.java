package dev.imagebuilder.systemimage.internal.customize;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.spi.ProcessRunner;
import dev.imagebuilder.systemimage.AptSource;
import dev.imagebuilder.systemimage.Customization;
import dev.imagebuilder.systemimage.RootfsCustomizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs a user's own command to customize the rootfs. The command is an argument vector (a JSON
 * array, or a line split into words with shell quoting: {@link CommandLine}); no shell runs
 * unless the command is one, such as {@code sh -c '...'}. Each word has its placeholders
 * replaced: {@code {rootfs}} (the unpacked rootfs directory), {@code {series}}
 * (the codename, or the version when no codename is known), {@code {ppas}} and
 * {@code {packages}} (comma-separated, possibly empty), {@code {device}}. The same values are in
 * the environment as {@code IMAGEBUILDER_ROOTFS}, {@code IMAGEBUILDER_SERIES},
 * {@code IMAGEBUILDER_PPAS}, {@code IMAGEBUILDER_PACKAGES} (space-separated),
 * {@code IMAGEBUILDER_DEVICE} and {@code IMAGEBUILDER_SOURCES} (the deb822 files written).
 */
public final class CommandTemplateCustomizer implements RootfsCustomizer {
  private final String field;
  private final List<String> template;
  private final Duration timeout;

  public CommandTemplateCustomizer(String field, List<String> argv, Duration timeout) {
    if (argv.isEmpty() || argv.get(0).isBlank()) {
      throw new InvalidRequestException(field, "names no command");
    }
    this.field = field;
    this.template = List.copyOf(argv);
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "command";
  }

  @Override
  public void customize(Customization c) {
    String ppas = c.sources().stream().map(s -> s.ppa().reference()).collect(Collectors.joining(","));
    String packages = c.packages().stream().map(Object::toString).collect(Collectors.joining(","));
    String series = c.series().codenameOrVersion();
    List<String> command = new ArrayList<>();
    for (String word : template) {
      command.add(word.replace("{rootfs}", c.rootfs().toString()).replace("{series}", series)
          .replace("{ppas}", ppas).replace("{packages}", packages)
          .replace("{device}", c.device() == null ? "" : c.device()));
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("IMAGEBUILDER_ROOTFS", c.rootfs().toString());
    env.put("IMAGEBUILDER_SERIES", series);
    env.put("IMAGEBUILDER_PPAS", ppas.replace(',', ' '));
    env.put("IMAGEBUILDER_PACKAGES", packages.replace(',', ' '));
    env.put("IMAGEBUILDER_DEVICE", c.device() == null ? "" : c.device());
    env.put("IMAGEBUILDER_SOURCES",
        c.sources().stream().map(AptSource::sourcesFile).collect(Collectors.joining(" ")));
    c.log().accept("running customizer command " + template.get(0) + " (" + field + ")");
    c.run(new ProcessRunner.Spec(command, env, null, timeout));
  }
}
