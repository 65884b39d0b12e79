/** Messages, topology, journal and the remote backend; not exported. */
package dev.imagebuilder.amqp.internal;
