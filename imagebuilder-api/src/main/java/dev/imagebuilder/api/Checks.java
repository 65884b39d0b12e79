package dev.imagebuilder.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Validation shared by the request records; every failure names the field and the value. */
final class Checks {
  private static final Pattern QUEUE_NAME = Pattern.compile("[^\\p{Cntrl}]{1,255}");

  private Checks() {}

  static String quote(Object value) {
    if (value == null) {
      return "null";
    }
    String s = String.valueOf(value);
    if (s.length() > 200) {
      s = s.substring(0, 200) + "...";
    }
    return "'" + s.replace("\n", "\\n") + "'";
  }

  static <T> T required(String field, T value) {
    if (value == null) {
      throw new InvalidRequestException(field, "is required");
    }
    return value;
  }

  /** Parses each element, dropping duplicates but keeping order. */
  static <S, T> List<T> list(String field, Collection<? extends S> values, Function<S, T> parse) {
    if (values == null) {
      return List.of();
    }
    LinkedHashSet<T> out = new LinkedHashSet<>();
    int i = 0;
    for (S value : values) {
      if (value == null) {
        throw new InvalidRequestException(field + "[" + i + "]", "must not be null");
      }
      try {
        out.add(parse.apply(value));
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException(field + "[" + i + "]", detail(e), e);
      }
      i++;
    }
    return List.copyOf(new ArrayList<>(out));
  }

  static String detail(InvalidRequestException e) {
    return e.getMessage().substring(e.field().length() + 2);
  }

  static String trigger(String trigger) {
    if (trigger == null) {
      return null;
    }
    if (!QUEUE_NAME.matcher(trigger).matches() || trigger.isBlank()) {
      throw new InvalidRequestException("trigger",
          quote(trigger) + " is not a queue name (1 to 255 printable characters)");
    }
    return trigger;
  }

  static URI absoluteUri(String field, URI uri, List<String> schemes) {
    Objects.requireNonNull(uri);
    if (uri.getRawUserInfo() != null) {
      // Credentials in URLs end up in logs and tickets; refuse them, and never repeat them.
      throw new InvalidRequestException(field, quote(redacted(uri))
          + " carries user information; URLs must not hold credentials");
    }
    if (!uri.isAbsolute() || uri.getScheme() == null
        || !schemes.contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
      throw new InvalidRequestException(field,
          quote(uri) + " is not an absolute " + String.join(" or ", schemes) + " URL");
    }
    if (!"file".equalsIgnoreCase(uri.getScheme()) && (uri.getHost() == null || uri.getHost().isEmpty())) {
      throw new InvalidRequestException(field, quote(uri) + " has no host");
    }
    return uri;
  }

  static URI parseUri(String field, String text, List<String> schemes) {
    required(field, text);
    try {
      return absoluteUri(field, new URI(text.strip()), schemes);
    } catch (java.net.URISyntaxException e) {
      throw new InvalidRequestException(field, quote(redacted(text)) + " is not a URL: " + e.getReason());
    }
  }

  /** The URL with any user information masked, fit for messages. */
  static String redacted(URI uri) {
    return uri.getRawUserInfo() == null
        ? uri.toString()
        : uri.toString().replace(uri.getRawUserInfo() + "@", "***@");
  }

  /** Masks what looks like user information in a URL that may not even parse. */
  static String redacted(String text) {
    return text.replaceAll("(?<=//)[^/@\\s]*@", "***@");
  }

  /** Drops repeated elements, keeping the first of each, so a request never fans out twice. */
  static <T> List<T> distinct(List<T> values) {
    return values == null ? List.of() : List.copyOf(new LinkedHashSet<>(values));
  }
}
