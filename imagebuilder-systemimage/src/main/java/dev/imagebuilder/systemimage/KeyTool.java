package dev.imagebuilder.systemimage;

import dev.imagebuilder.systemimage.internal.pgp.KeyChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Creates the keys a published system-image channel needs (archive-master, image-master,
 * image-signing, optionally device-signing) and the keyring tarballs the protocol publishes
 * under {@code /gpg/}.
 *
 * <pre>
 * java -cp ... dev.imagebuilder.systemimage.KeyTool OUTPUT_DIR [--owner NAME] [--email ADDRESS]
 *     [--bits 4096] [--device-signing] [--force]
 * </pre>
 *
 * The secret keys are protected with the passphrase in the environment variable
 * {@code IMAGEBUILDER_SYSTEMIMAGE_SIGNING_KEY_PASSPHRASE} when it is set (unencrypted otherwise).
 * Point {@code imagebuilder.systemimage.keys-directory} at OUTPUT_DIR: the backend then signs with
 * {@code secret/image-signing.asc}, publishes {@code gpg/*} and ships our archive-master in the
 * image. Keep {@code secret/archive-master.asc} and {@code secret/image-master.asc} offline.
 */
public final class KeyTool {
  private KeyTool() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.getenv("IMAGEBUILDER_SYSTEMIMAGE_SIGNING_KEY_PASSPHRASE")));
  }

  /** Runs the tool; returns the exit status. */
  public static int run(String[] args, String passphrase) throws Exception {
    Path out = null;
    String owner = "imagebuilder system-image";
    String email = "system-image@localhost";
    int bits = 4096;
    boolean device = false;
    boolean force = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--owner" -> owner = value(args, ++i, a);
        case "--email" -> email = value(args, ++i, a);
        case "--bits" -> bits = Integer.parseInt(value(args, ++i, a));
        case "--device-signing" -> device = true;
        case "--force" -> force = true;
        case "-h", "--help" -> {
          System.out.println("usage: KeyTool OUTPUT_DIR [--owner NAME] [--email ADDRESS] [--bits N]"
              + " [--device-signing] [--force]");
          return 0;
        }
        default -> {
          if (a.startsWith("-") || out != null) {
            System.err.println("KeyTool: unexpected argument " + a);
            return 2;
          }
          out = Path.of(a);
        }
      }
    }
    if (out == null) {
      System.err.println("KeyTool: the output directory is required");
      return 2;
    }
    if (bits < 2048) {
      System.err.println("KeyTool: --bits must be at least 2048");
      return 2;
    }
    if (Files.exists(out.resolve("secret/archive-master.asc")) && !force) {
      System.err.println("KeyTool: " + out + " already holds keys; use --force to replace them");
      return 1;
    }
    List<Path> written = KeyChain.create(out, owner, email, bits, device,
        passphrase == null ? new char[0] : passphrase.toCharArray());
    for (Path p : written) {
      System.out.println(p);
    }
    return 0;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
