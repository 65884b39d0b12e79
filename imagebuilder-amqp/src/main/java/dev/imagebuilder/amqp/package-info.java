/**
 * The queue worker ({@link dev.imagebuilder.amqp.QueueWorker}) and the {@code amqp} remote
 * backend ({@link dev.imagebuilder.amqp.AmqpBackendProvider}). See {@code docs/amqp.md} for the
 * message schemas and guarantees.
 */
package dev.imagebuilder.amqp;
