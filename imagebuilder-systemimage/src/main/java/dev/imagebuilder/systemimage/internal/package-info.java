/** Implementation; not exported. */
package dev.imagebuilder.systemimage.internal;
