package dev.imagebuilder.systemimage;

/**
 * Installs packages into an unpacked rootfs: the step that makes a channel's own rootfs. The
 * backend has already unpacked the remote rootfs and written each PPA into it as a deb822
 * {@code .sources} file with its signing key ({@link AptSource}); the customizer installs
 * {@link Customization#packages()} and leaves the tree ready to be packed again.
 *
 * <p>Two implementations ship with the backend and are chosen by the configuration key
 * {@code systemimage.customizer}: {@code chroot} (the default: {@code apt-get} in a chroot of the
 * rootfs, needs root) and {@code command} (a user's own command, see
 * {@code systemimage.customizer-command}). Others can be registered on a
 * {@link SystemImageBackendProvider} or found through {@link java.util.ServiceLoader} by
 * {@link #name()}.
 *
 * <p>Implementations run on a worker thread and should run external programs through
 * {@link Customization#run}, so that their output becomes log events and cancelling the build
 * kills them.
 */
public interface RootfsCustomizer {
  /** The name the configuration selects this customizer by. */
  String name();

  /**
   * Customizes {@link Customization#rootfs()} in place.
   *
   * @throws Exception anything that went wrong; the device's target fails and nothing is
   *     published
   */
  void customize(Customization customization) throws Exception;
}
