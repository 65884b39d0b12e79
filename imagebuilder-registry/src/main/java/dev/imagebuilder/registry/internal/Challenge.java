package dev.imagebuilder.registry.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code WWW-Authenticate} challenge: {@code Basic realm="..."} or
 * {@code Bearer realm="...",service="...",scope="a b",error="insufficient_scope"}. Parameters are
 * a comma-separated list of {@code name=value} or {@code name="quoted string"}; a quoted scope
 * may hold spaces and commas.
 */
public record Challenge(String scheme, Map<String, String> params) {
  public Challenge {
    params = Map.copyOf(params);
  }

  public boolean basic() {
    return scheme.equals("basic");
  }

  public boolean bearer() {
    return scheme.equals("bearer");
  }

  public Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name));
  }

  /** The scopes the registry asked for, split on spaces. */
  public List<String> scopes() {
    String s = params.get("scope");
    return s == null || s.isBlank() ? List.of() : List.of(s.strip().split("\\s+"));
  }

  public boolean insufficientScope() {
    return "insufficient_scope".equals(params.get("error"));
  }

  /** The first Basic or Bearer challenge among the header values, or empty. */
  public static Optional<Challenge> first(List<String> headerValues) {
    for (String v : headerValues) {
      Optional<Challenge> c = parse(v);
      if (c.isPresent() && (c.get().basic() || c.get().bearer())) {
        return c;
      }
    }
    return Optional.empty();
  }

  public static Optional<Challenge> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String s = header.strip();
    int sp = s.indexOf(' ');
    String scheme = (sp < 0 ? s : s.substring(0, sp)).toLowerCase(Locale.ROOT);
    if (scheme.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> params = new LinkedHashMap<>();
    int i = sp < 0 ? s.length() : sp + 1;
    while (i < s.length()) {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == ',')) {
        i++;
      }
      int eq = s.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String name = s.substring(i, eq).strip().toLowerCase(Locale.ROOT);
      i = eq + 1;
      StringBuilder value = new StringBuilder();
      if (i < s.length() && s.charAt(i) == '"') {
        i++;
        while (i < s.length() && s.charAt(i) != '"') {
          if (s.charAt(i) == '\\' && i + 1 < s.length()) {
            i++;
          }
          value.append(s.charAt(i++));
        }
        i++;
      } else {
        while (i < s.length() && s.charAt(i) != ',') {
          value.append(s.charAt(i++));
        }
      }
      params.put(name, value.toString().strip());
    }
    return Optional.of(new Challenge(scheme, params));
  }
}
