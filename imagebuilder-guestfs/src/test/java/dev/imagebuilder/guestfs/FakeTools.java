package dev.imagebuilder.guestfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;

/**
 * Shell scripts standing in for {@code virt-customize} and {@code qemu-img}, configured through
 * the backend's {@code virt-customize} and {@code qemu-img} keys. The fake virt-customize records
 * its arguments and LIBGUESTFS environment, copies {@code --upload}ed files into {@code guest/},
 * then runs the scenario body given to it (its output is what the backend parses).
 */
final class FakeTools {
  final Path dir;

  FakeTools(Path dir) {
    this.dir = dir;
  }

  /** A fake virt-customize whose behaviour after recording is {@code body} (bash). */
  Path virtCustomize(String body) throws IOException {
    return script("virt-customize", """
        #!/bin/bash
        dir=$(dirname "$0")
        printf '%s\\n' "$@" > "$dir/args"
        env | grep '^LIBGUESTFS' | sort > "$dir/env"
        echo $$ > "$dir/pid"
        disk=
        while [ $# -gt 0 ]; do
          case "$1" in
            --upload) src=${2%%:*}; dst=${2#*:}; mkdir -p "$dir/guest$dst"; cp -p "$src" "$dir/guest$dst/"; shift 2;;
            --add) disk=$2; shift 2;;
            *) shift;;
          esac
        done
        """ + body + "\n");
  }

  /** Prints virt-customize's usual steps and changes the disk, as a successful run would. */
  static final String SUCCEEDS = """
      echo '[   0.0] Examining the guest ...'
      echo '[  16.6] Setting a random seed'
      echo '[  16.8] Making directory: /etc/apt/keyrings'
      echo '[  17.0] Installing packages: hello'
      printf 'customized' >> "$disk"
      echo '[  48.2] Finishing off'
      exit 0
      """;

  /** Announces a step, then waits like a slow appliance: a child {@code sleep} stands for qemu. */
  static final String HANGS = """
      echo '[   0.0] Examining the guest ...'
      echo '[   1.0] Installing packages: hello'
      sleep 300 &
      echo $! > "$dir/child-pid"
      wait
      """;

  /** A qemu-img whose {@code info} reports {@code format}; {@code convert} copies the file. */
  Path qemuImg(String format) throws IOException {
    return script("qemu-img", """
        #!/bin/bash
        printf '%s ' "$@" >> "$(dirname "$0")/qemu-img-calls"; echo >> "$(dirname "$0")/qemu-img-calls"
        case "$1" in
          info) f="${@: -1}"; printf '{"format": "%s", "virtual-size": %d, "filename": "%s"}\\n' \
                  "FORMAT" "$(stat -c %s "$f")" "$f";;
          convert) cp "${@: -2:1}" "${@: -1}";;
          *) echo "fake qemu-img: unexpected $1" >&2; exit 1;;
        esac
        """.replace("FORMAT", format));
  }

  /** A qemu-img that fails as the real one does on a file it cannot open. */
  Path brokenQemuImg() throws IOException {
    return script("qemu-img", """
        #!/bin/bash
        echo "qemu-img: Could not open '${@: -1}': Image is not in qcow2 format" >&2
        exit 1
        """);
  }

  /** Each qemu-img call's arguments, space-separated, one call a line. */
  List<String> qemuImgCalls() throws IOException {
    Path calls = dir.resolve("qemu-img-calls");
    return Files.exists(calls) ? Files.readAllLines(calls).stream().map(String::strip).toList() : List.of();
  }

  /** A fake virt-sparsify that records its arguments and environment, then exits {@code status}. */
  Path virtSparsify(int status) throws IOException {
    return script("virt-sparsify", """
        #!/bin/bash
        dir=$(dirname "$0")
        printf '%s\n' "$@" > "$dir/sparsify-args"
        env | grep '^LIBGUESTFS' | sort > "$dir/sparsify-env"
        [ STATUS = 0 ] || echo "virt-sparsify: error: no free space could be found" >&2
        exit STATUS
        """.replace("STATUS", Integer.toString(status)));
  }

  List<String> recordedArguments() throws IOException {
    return Files.readAllLines(dir.resolve("args"));
  }

  String recordedEnvironment() throws IOException {
    return Files.readString(dir.resolve("env"));
  }

  boolean ran() {
    return Files.exists(dir.resolve("args"));
  }

  Path guestFile(String guestPath) {
    return dir.resolve("guest" + guestPath);
  }

  long childPid() throws IOException {
    return Long.parseLong(Files.readString(dir.resolve("child-pid")).strip());
  }

  private Path script(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = FakeTools.class.getResourceAsStream(name)) {
      return Objects.requireNonNull(in, name).readAllBytes();
    }
  }

  static String resourceText(String name) throws IOException {
    return new String(resource(name), StandardCharsets.UTF_8).strip();
  }

  /** Writes a resource to a file, for keys the configuration names by path. */
  static Path resourceFile(String name, Path target) throws IOException {
    Files.write(target, resource(name));
    return target;
  }
}
