/** Implementation; not exported. */
package dev.imagebuilder.cli.internal;
