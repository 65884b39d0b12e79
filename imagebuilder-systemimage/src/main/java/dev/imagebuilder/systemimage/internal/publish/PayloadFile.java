package dev.imagebuilder.systemimage.internal.publish;

import dev.imagebuilder.systemimage.internal.protocol.RemotePath;
import java.nio.file.Path;

/**
 * A payload staged for publication: its path in the tree, the staged file (with its
 * {@code .asc} beside it), digest, size and apply order.
 */
public record PayloadFile(RemotePath path, Path staged, String sha256, long size, int order) {}
