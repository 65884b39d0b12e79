/**
 * The cloud image backend: {@link dev.imagebuilder.guestfs.GuestfsBackendProvider}, found by
 * {@link java.util.ServiceLoader} and serving {@link dev.imagebuilder.api.CloudImageRequest}.
 */
package dev.imagebuilder.guestfs;
