package dev.imagebuilder.api;

/**
 * A request, a value or a wire-format document was rejected. The message names the field and
 * the offending value; {@link #field()} gives the field alone (for a wire-format document, the
 * item index and key, such as {@code [1].ppa_list}).
 */
public class InvalidRequestException extends ImageBuildException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidRequestException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  public InvalidRequestException(String field, String message, Throwable cause) {
    super(field + ": " + message, cause);
    this.field = field;
  }

  /** The field that holds the bad value. */
  public String field() {
    return field;
  }

  /** The same problem, reported under a field path with {@code prefix} in front. */
  public InvalidRequestException under(String prefix) {
    String path = field.startsWith("[") ? prefix + field : prefix + "." + field;
    String detail = getMessage().substring(field.length() + 2);
    return new InvalidRequestException(path, detail, this);
  }
}
