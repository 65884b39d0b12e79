package dev.imagebuilder.testkit.internal.launchpad;

/** A recipe's registry push rule; the password is kept only to mimic the real object. */
record PushRule(int id, String registryUrl, String imageName, String username) {}
