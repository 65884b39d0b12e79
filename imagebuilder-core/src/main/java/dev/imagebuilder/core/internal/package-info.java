/** Implementation; not exported. */
package dev.imagebuilder.core.internal;
