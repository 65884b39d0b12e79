package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The broker objects that belong to one work queue, declared identically by every worker and
 * every client (RabbitMQ refuses a redeclaration with other arguments):
 *
 * <ul>
 *   <li>{@code <queue>}: durable; what it rejects goes to {@code <queue>.dlx};
 *   <li>{@code <queue>.dlx} (fanout) and {@code <queue>.dead} (durable), the dead letters;
 *   <li>{@code <queue>.control} (fanout): cancel messages, seen by every worker.
 * </ul>
 */
public record Topology(String queue) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

  public Topology {
    if (queue == null || !NAME.matcher(queue).matches()) {
      throw new IllegalArgumentException("queue: '" + queue
          + "' is not a queue name (1 to 200 of letters, digits, '.', '_', ':', '-')");
    }
  }

  /** True if {@code name} is acceptable as a work queue name. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  public String deadLetterExchange() {
    return queue + ".dlx";
  }

  public String deadLetterQueue() {
    return queue + ".dead";
  }

  public String controlExchange() {
    return queue + ".control";
  }

  /** Declares the work queue, its dead-letter exchange and queue, and the control exchange. */
  public void declare(Channel channel) throws IOException {
    channel.exchangeDeclare(deadLetterExchange(), "fanout", true);
    channel.queueDeclare(deadLetterQueue(), true, false, false, null);
    channel.queueBind(deadLetterQueue(), deadLetterExchange(), "");
    channel.queueDeclare(queue, true, false, false,
        Map.of("x-dead-letter-exchange", deadLetterExchange()));
    channel.exchangeDeclare(controlExchange(), "fanout", true);
  }
}
