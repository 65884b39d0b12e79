/**
 * RabbitMQ (AMQP 0-9-1) transport for imagebuilder: {@link dev.imagebuilder.amqp.QueueWorker}
 * serves wire-format requests from a durable queue, and the {@code amqp} backend
 * ({@link dev.imagebuilder.amqp.AmqpBackendProvider}) hands requests to such workers.
 */
module dev.imagebuilder.amqp {
  requires transitive dev.imagebuilder.core;
  requires com.rabbitmq.client;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.imagebuilder.amqp;

  provides dev.imagebuilder.spi.BackendProvider with dev.imagebuilder.amqp.AmqpBackendProvider;
}
