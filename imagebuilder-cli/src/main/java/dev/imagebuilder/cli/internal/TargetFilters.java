package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;

/** {@code --arch} values as the API's architectures, a bad one named with its option. */
final class TargetFilters {
  private TargetFilters() {}

  static List<Architecture> architectures(List<String> values) {
    List<Architecture> archs = new ArrayList<>();
    for (String a : values) {
      try {
        archs.add(Architecture.of(a));
      } catch (InvalidRequestException e) {
        throw new UsageException("--arch: " + RootCommand.detail(e));
      }
    }
    return archs;
  }
}
