package dev.imagebuilder.systemimage.internal.publish;

import java.nio.file.Path;

/** A device image now visible in the published tree. */
public record PublishedImage(String channel, String device, int version, Path index, Path channels) {}
