/** Implementation; not exported. */
package dev.imagebuilder.guestfs.internal;
