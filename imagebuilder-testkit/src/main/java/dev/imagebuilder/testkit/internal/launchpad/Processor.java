package dev.imagebuilder.testkit.internal.launchpad;

/** A build farm processor ({@code /+processors/<name>}). */
record Processor(String name, String title, String description, boolean restricted, boolean buildByDefault) {}
