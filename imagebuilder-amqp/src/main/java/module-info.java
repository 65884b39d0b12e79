/** RabbitMQ queue worker and remote backend. */
module dev.imagebuilder.amqp {
  requires dev.imagebuilder.core;
}
