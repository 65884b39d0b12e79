package dev.imagebuilder.cli.internal;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code image-builder catalog}: the catalog of OCI recipes (its subcommands). */
@Command(name = "catalog", mixinStandardHelpOptions = true,
    header = "Make the catalog that maps images and series to OCI recipes.",
    description = "Launchpad has no API that lists OCI recipes, so builds go by a catalog "
        + "(docs/launchpad.md). 'catalog init' writes one from the OCI projects Launchpad knows.",
    subcommands = {CatalogInitCommand.class})
final class CatalogCommand implements Callable<Integer> {
  @picocli.CommandLine.ParentCommand RootCommand root;
  @Spec CommandSpec spec;

  RootCommand root() {
    return root;
  }

  @Override
  public Integer call() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "catalog: which? 'catalog init' writes a catalog");
  }
}
