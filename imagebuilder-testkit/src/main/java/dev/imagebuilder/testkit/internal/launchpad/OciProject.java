package dev.imagebuilder.testkit.internal.launchpad;

import java.time.Instant;

/** An OCI project under a project pillar ({@code /<pillar>/+oci/<name>}). */
record OciProject(String pillar, String name, String registrant, Instant dateCreated) {
  String path() { return pillar + "/+oci/" + name; }
}
