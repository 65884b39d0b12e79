package dev.imagebuilder.systemimage.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.systemimage.internal.tar.TarXzWriter;
import dev.imagebuilder.systemimage.support.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delta format of the reference server's diff.py, checked with the system tar. */
class DeltaTarballTest {
  @TempDir Path dir;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void hardLink(TarXzWriter tar, String name, String target) throws Exception {
    TarArchiveEntry e = TarXzWriter.entry(name, TarConstants.LF_LINK);
    e.setLinkName(target);
    e.setMode(0100644);
    tar.put(e, null);
  }

  @Test
  void carriesAddedAndChangedEntriesAndListsRemovedAndChangedPaths() throws Exception {
    Instant t1 = Instant.parse("2024-01-01T00:00:00Z");
    Instant t2 = Instant.parse("2025-01-01T00:00:00Z");
    Path source = dir.resolve("source.tar.xz");
    try (TarXzWriter tar = TarXzWriter.create(source, 0)) {
      tar.directory("system", 0755, t1);
      tar.file("system/same", utf8("same"), 0644, t1);
      tar.file("system/changed", utf8("old"), 0644, t1);
      tar.file("system/chmod", utf8("x"), 0644, t1);
      tar.file("system/gone", utf8("bye"), 0644, t1);
      tar.directory("system/lib", 0755, t1);
      tar.file("system/lib/inside", utf8("i"), 0644, t1);
      tar.symlink("system/link", "same", t1);
      tar.file("system/linked", utf8("l"), 0644, t1);
      hardLink(tar, "system/hard", "system/linked");
    }
    Path target = dir.resolve("target.tar.xz");
    try (TarXzWriter tar = TarXzWriter.create(target, 0)) {
      tar.directory("system", 0700, t2); // directories compare by path only
      tar.file("system/same", utf8("same"), 0644, t2); // only the time changed
      tar.file("system/changed", utf8("new"), 0644, t2);
      tar.file("system/chmod", utf8("x"), 0755, t1);
      tar.symlink("system/lib", "usr/lib", t2); // a directory became a symlink
      tar.symlink("system/link", "same", t2);
      tar.file("system/linked", utf8("l"), 0644, t1);
      hardLink(tar, "system/hard", "system/linked");
      tar.file("system/added", utf8("hi"), 0644, t2);
    }
    Path delta = dir.resolve("delta.tar.xz");

    DeltaTarball.Summary s = DeltaTarball.write(source, target, delta, 0);

    assertThat(Trees.tarList(delta)).containsExactly("removed", "system/changed", "system/chmod",
        "system/lib", "system/hard", "system/added");
    assertThat(Trees.tarMember(delta, "removed")).isEqualTo(String.join("\n", List.of(
        "system/changed", "system/chmod", "system/gone", "system/hard", "system/lib",
        "system/lib/inside")) + "\n");
    assertThat(s).isEqualTo(new DeltaTarball.Summary(5, 6));

    // Applied as the recovery does, the delta turns the source tree into the target tree.
    Path applied = Files.createDirectories(dir.resolve("applied"));
    Trees.run(List.of("tar", "-xJf", source.toString(), "-C", applied.toString()));
    for (String line : Trees.tarMember(delta, "removed").split("\n")) {
      Trees.run(List.of("rm", "-rf", applied.resolve(line).toString()));
    }
    Trees.run(List.of("tar", "-xJf", delta.toString(), "-C", applied.toString(), "--exclude=removed"));
    Path expected = Files.createDirectories(dir.resolve("expected"));
    Trees.run(List.of("tar", "-xJf", target.toString(), "-C", expected.toString()));
    assertThat(dev.imagebuilder.systemimage.support.UpgradeClient.describe(applied.resolve("system")))
        .isEqualTo(dev.imagebuilder.systemimage.support.UpgradeClient.describe(expected.resolve("system")));
  }

  @Test
  void identicalTarballsGiveAnEmptyRemovalListAndNothingElse() throws Exception {
    Path a = dir.resolve("a.tar.xz");
    try (TarXzWriter tar = TarXzWriter.create(a, 0)) {
      tar.file("system/x", utf8("x"), 0644, Instant.EPOCH);
    }
    Path delta = dir.resolve("d.tar.xz");
    DeltaTarball.write(a, a, delta, 0);
    assertThat(Trees.tarList(delta)).containsExactly("removed");
    assertThat(Trees.tarMember(delta, "removed")).isEqualTo("\n");
  }
}
