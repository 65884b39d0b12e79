/** Implementation; not exported. */
package dev.imagebuilder.glance.internal;
