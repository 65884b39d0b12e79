/**
 * URI helpers every plumbing package uses; a leaf: it imports nothing of the project, so the
 * HTTP and download packages need not depend on {@code core.internal}. Not exported.
 */
package dev.imagebuilder.core.internal.net;
