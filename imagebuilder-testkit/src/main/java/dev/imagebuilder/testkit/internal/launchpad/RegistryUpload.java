package dev.imagebuilder.testkit.internal.launchpad;

import java.util.List;

/**
 * A build's registry upload completed: what Launchpad then pushes. {@code pushRules} are the
 * recipe's {registry URL, image name} pairs; {@code requestArches} lists the architectures of the
 * build request when this was its last build to be uploaded (the manifest list is due), else it
 * is empty.
 */
public record RegistryUpload(String recipePath, String branch, List<String[]> pushRules, String arch, int requestId,
    List<String> requestArches) {}
