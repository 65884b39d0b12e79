package dev.imagebuilder.testkit.internal.launchpad;

import java.util.Set;

/** A person or team; {@code members} is empty for a person. */
record Person(String name, String displayName, boolean team, Set<String> members) {
  boolean includes(String personName) {
    return name.equals(personName) || members.contains(personName);
  }
}
