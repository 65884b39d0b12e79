/** Implementation; not exported. */
package dev.imagebuilder.amqp.internal;
