package dev.imagebuilder.systemimage;

import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.apt.internal.PpaAptSource;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * An apt source added to the rootfs for a PPA: where it lives, the suite and components, and
 * the files the backend wrote for it inside the rootfs.
 *
 * @param ppa the PPA it stands for
 * @param uri the archive's URL (Launchpad's PPA host unless configured otherwise)
 * @param suite the suite, normally the request's series codename
 * @param components the components, normally {@code main}
 * @param sourcesFile the deb822 file's path inside the rootfs ({@code /etc/apt/sources.list.d/...})
 * @param keyFile the signing key's path inside the rootfs ({@code /etc/apt/keyrings/...}), a binary
 *     OpenPGP keyring that {@code Signed-By} names
 */
public record AptSource(
    Ppa ppa, URI uri, String suite, List<String> components, String sourcesFile, String keyFile) {
  public AptSource {
    Objects.requireNonNull(ppa, "ppa");
    Objects.requireNonNull(uri, "uri");
    components = List.copyOf(components);
  }

  /**
   * The deb822 stanza written to {@link #sourcesFile()} (after a comment line naming the PPA and
   * its key).
   */
  public String deb822() {
    return PpaAptSource.stanza(uri, suite, components, keyFile);
  }
}
