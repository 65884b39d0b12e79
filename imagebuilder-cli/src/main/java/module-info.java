/** The image-builder command. */
module dev.imagebuilder.cli {
  requires dev.imagebuilder.core;
}
