package dev.imagebuilder.glance.internal;

import java.net.URI;
import java.util.Optional;

/**
 * One cloud's connection settings as the OpenStack clients resolve them: where Keystone is, how
 * to authenticate, and which image endpoint of the catalog to use. {@link #toString()} never
 * shows a secret.
 *
 * @param name the {@code clouds.yaml} entry, or {@code envvars} for the {@code OS_*} variables
 * @param source where the settings were read (a file path or "the OS_* environment variables")
 * @param region the {@code region_name}, or empty to accept the catalog's only region
 * @param interfaceName {@code public}, {@code internal} or {@code admin}
 */
public record OpenStackCloud(
    String name, String source, URI authUrl, Credentials credentials, Optional<String> region,
    String interfaceName) {

  /** How to authenticate to Keystone v3. */
  public sealed interface Credentials permits Password, ApplicationCredential {}

  /**
   * Password authentication, scoped to a project. A user or project given by id needs no domain;
   * one given by name is looked up in its domain (by name or id).
   */
  public record Password(
      Optional<String> userId, Optional<String> userName, Optional<String> userDomainId,
      Optional<String> userDomainName, String password, Optional<String> projectId,
      Optional<String> projectName, Optional<String> projectDomainId,
      Optional<String> projectDomainName) implements Credentials {
    @Override
    public String toString() {
      return "Password[user=" + userId.or(() -> userName).orElse("?") + ", project="
          + projectId.or(() -> projectName).orElse("?") + "]";
    }
  }

  /**
   * An application credential: by id, or by name with its user. It is bound to the project it
   * was created in, so no scope is sent.
   */
  public record ApplicationCredential(
      Optional<String> id, Optional<String> name, Optional<String> userId,
      Optional<String> userName, Optional<String> userDomainId, Optional<String> userDomainName,
      String secret) implements Credentials {
    @Override
    public String toString() {
      return "ApplicationCredential[" + id.or(() -> name).orElse("?") + "]";
    }
  }

  @Override
  public String toString() {
    return "OpenStackCloud[" + name + " from " + source + ", " + authUrl + ", " + credentials
        + ", region=" + region.orElse("(any)") + ", interface=" + interfaceName + "]";
  }
}
