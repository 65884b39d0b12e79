package dev.imagebuilder.glance;

import java.net.URI;

/**
 * An active Glance image whose bytes were checked against the file they came from.
 *
 * @param cloud the {@code clouds.yaml} entry (or {@code envvars}) it was published to
 * @param link the image's API URL, {@code <glance>/v2/images/<id>}
 * @param osHashAlgo and {@code osHashValue}: Glance's multihash, equal to ours
 */
public record PublishedImage(String id, String cloud, URI link, long size, String osHashAlgo,
    String osHashValue) {}
