package dev.imagebuilder.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirectoryTest {
  @TempDir Path parent;
  final List<String> log = new ArrayList<>();
  final List<Process> children = new ArrayList<>();

  @AfterEach
  void killChildren() {
    children.forEach(Process::destroyForcibly);
  }

  /** Starts a JVM that holds a work directory; returns its path once it is made. */
  Path heldByAnotherProcess(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), WorkDirectoryHolder.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    children.add(p);
    String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(line).as("the holder's path").isNotNull();
    return Path.of(line);
  }

  static void killDashNine(Process p) throws InterruptedException {
    p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aDirectoryIsDeletedOnCloseAndNeverSweptWhileHeld() throws Exception {
    WorkDirectory dir = WorkDirectory.create(parent, ".work-", log::add);
    Files.writeString(dir.path().resolve("disk.qcow2"), "data");
    assertThat(dir.path().getFileName().toString()).startsWith(".work-");

    assertThat(WorkDirectory.sweep(parent, ".work-", log::add)).isEmpty();
    assertThat(dir.path().resolve("disk.qcow2")).exists();

    dir.close();
    assertThat(dir.path()).doesNotExist();
  }

  @Test
  void whatAKilledProcessLeftIsSweptAndWhatALiveOneHoldsIsNot() throws Exception {
    Path killed = heldByAnotherProcess("create", parent.toString(), ".work-");
    Path alive = heldByAnotherProcess("create", parent.toString(), ".work-");
    killDashNine(children.get(0));

    List<Path> swept = WorkDirectory.sweep(parent, ".work-", log::add);

    assertThat(swept).containsExactly(killed);
    assertThat(killed).doesNotExist();
    assertThat(alive.resolve("half-built.img")).exists();
    assertThat(log).anyMatch(l -> l.contains(killed.toString()) && l.contains("process is gone"));
  }

  @Test
  void aClaimedDirectoryOfAKilledRunIsTakenOverWithItsContent() throws Exception {
    Path work = parent.resolve("build-1");
    heldByAnotherProcess("claim", work.toString());
    assertThatThrownBy(() -> WorkDirectory.claim(work, log::add)).hasMessageContaining("in use by another process");

    killDashNine(children.get(0));
    try (WorkDirectory again = WorkDirectory.claim(work, log::add)) {
      assertThat(again.path().resolve("half-built.img")).exists();
      assertThatThrownBy(() -> WorkDirectory.claim(work, log::add)).hasMessageContaining("in use by another build");
      assertThat(WorkDirectory.sweep(parent, "", log::add)).isEmpty();
    }
    assertThat(work).doesNotExist();
  }

  @Test
  void keepLetsGoWithoutDeletingAndTheNextSweepTakesIt() throws Exception {
    WorkDirectory dir = WorkDirectory.create(parent, ".work-", log::add);
    dir.keep();
    assertThat(dir.path()).exists();
    assertThat(WorkDirectory.sweep(parent, ".work-", log::add)).containsExactly(dir.path());
  }

  @Test
  void directoriesWithoutALockFileAndOtherPrefixesAreLeftAlone() throws Exception {
    Path foreign = Files.createDirectory(parent.resolve(".work-foreign"));
    Path other = WorkDirectory.create(parent, "other-", log::add).path();
    WorkDirectory.sweep(parent, ".work-", log::add);
    assertThat(foreign).exists();
    assertThat(other).exists();
  }

  @Test
  void aCreationAbandonedHalfWayIsSweptOnlyOnceItIsOld() throws Exception {
    Path fresh = Files.createDirectory(parent.resolve(".creating-.work-123"));
    Path old = Files.createDirectory(parent.resolve(".creating-.work-456"));
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));

    assertThat(WorkDirectory.sweep(parent, ".work-", log::add)).containsExactly(old);
    assertThat(fresh).exists();
  }

  @Test
  void deletingLeavesABindMountOfTheSameFileSystemAlone() throws Exception {
    // What a killed build can leave: something mounted inside its tree, here the same file
    // system bound again (same device: only the kernel's mount list tells it is a mount).
    assumeTrue(run("id", "-u").equals("0"), "bind mounts need root");
    Path outside = Files.writeString(Files.createDirectory(parent.resolve("host")).resolve("keep"), "precious");
    WorkDirectory dir = WorkDirectory.create(parent, ".work-", log::add);
    Path bound = Files.createDirectory(dir.path().resolve("bound dir"));
    assumeTrue(run("mount", "--bind", outside.getParent().toString(), bound.toString()) != null, "mount --bind failed");
    try {
      dir.close();
      assertThat(outside).hasContent("precious");
      assertThat(log).anyMatch(l -> l.contains("not deleting " + bound));
    } finally {
      run("umount", bound.toString());
    }
  }

  /** Runs a command; its first output line, or null when it fails. */
  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return p.waitFor() == 0 ? out.lines().findFirst().orElse("") : null;
  }

  @Test
  void deletingDoesNotFollowASymbolicLinkOutOfTheTree() throws Exception {
    Path outside = Files.writeString(Files.createDirectory(parent.resolve("outside")).resolve("keep"), "precious");
    WorkDirectory dir = WorkDirectory.create(parent, ".work-", log::add);
    Files.createSymbolicLink(dir.path().resolve("link"), outside.getParent());
    dir.close();
    assertThat(dir.path()).doesNotExist();
    assertThat(outside).hasContent("precious");
  }
}
