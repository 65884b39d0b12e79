/** Implementation; not exported. */
package dev.imagebuilder.testkit.internal.launchpad;
