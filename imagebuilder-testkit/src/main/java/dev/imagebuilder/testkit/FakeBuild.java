package dev.imagebuilder.testkit;

/**
 * A snapshot of one build in the fake's build farm.
 *
 * @param url the build's API URL ({@code <root>~o/p/+oci/x/+recipe/r/+build/<id>})
 * @param arch the architecture tag
 * @param buildstate Launchpad's {@code buildstate} title, such as "Successfully built"
 * @param registryUploadStatus Launchpad's {@code registry_upload_status} title, such as "Uploaded"
 */
public record FakeBuild(String url, String arch, String buildstate, String registryUploadStatus) {}
