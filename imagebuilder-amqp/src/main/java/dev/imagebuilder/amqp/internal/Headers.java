package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.AMQP;
import java.util.Map;
import java.util.regex.Pattern;

/** Names of the message headers this module reads and writes, and how to read them. */
public final class Headers {
  /** The request id: assigned by the sender (or by the first worker) and kept on redelivery. */
  public static final String REQUEST_ID = "x-imagebuilder-request-id";
  /** On a dead letter: why the request was rejected. */
  public static final String ERROR = "x-imagebuilder-error";
  /** On a dead letter: the field at fault ({@code [1].ppa_list}), when known. */
  public static final String ERROR_FIELD = "x-imagebuilder-error-field";
  /** On a dead letter: the queue it was taken from. */
  public static final String ORIGINAL_QUEUE = "x-imagebuilder-original-queue";
  /** On a dead letter: the worker that rejected it. */
  public static final String REJECTED_BY = "x-imagebuilder-rejected-by";

  public static final String JSON = "application/json";

  /** Request ids name journal files: nothing that could climb out of a directory. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private Headers() {}

  public static boolean isValidRequestId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** A header's text, whatever AMQP type it arrived as, or {@code null}. */
  public static String text(AMQP.BasicProperties properties, String name) {
    Map<String, Object> headers = properties == null ? null : properties.getHeaders();
    Object value = headers == null ? null : headers.get(name);
    return value == null ? null : value.toString();
  }

  /** The request id of a message: the header, else a usable AMQP message-id, else null. */
  public static String requestId(AMQP.BasicProperties properties) {
    String header = text(properties, REQUEST_ID);
    if (isValidRequestId(header)) {
      return header;
    }
    String messageId = properties == null ? null : properties.getMessageId();
    return isValidRequestId(messageId) ? messageId : null;
  }
}
