/** Implementation; not exported. */
package dev.imagebuilder.launchpad.internal;
