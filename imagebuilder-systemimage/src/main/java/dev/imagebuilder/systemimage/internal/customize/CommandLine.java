package dev.imagebuilder.systemimage.internal.customize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.InvalidRequestException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A configured command as an argument vector. Either a JSON array of strings
 * ({@code ["sh", "-c", "apt-get install -y $1", "sh", "{packages}"]}), taken word for word, or a
 * line split into words as a POSIX shell splits them: blanks separate words; single quotes keep
 * everything literally; double quotes keep everything but a backslash before {@code " \ $ `}; a
 * backslash outside quotes keeps the next character. Nothing else of the shell happens (no
 * variables, globs or pipes): for those, run {@code sh -c '...'}.
 */
public final class CommandLine {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CommandLine() {}

  /** Parses {@code text}; errors name {@code field} and the bad value. */
  public static List<String> parse(String field, String text) {
    String s = text == null ? "" : text.strip();
    List<String> words = s.startsWith("[") ? jsonArray(field, s) : shellWords(field, s);
    if (words.isEmpty() || words.get(0).isEmpty()) {
      throw new InvalidRequestException(field, "'" + s + "' names no command");
    }
    return List.copyOf(words);
  }

  private static List<String> jsonArray(String field, String s) {
    JsonNode n;
    try {
      n = JSON.readTree(s);
    } catch (IOException e) {
      throw new InvalidRequestException(field, "'" + s + "' is not a JSON array of strings: "
          + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    List<String> out = new ArrayList<>();
    for (JsonNode w : n) {
      if (!w.isTextual()) {
        throw new InvalidRequestException(field, "'" + s + "' is not a JSON array of strings: "
            + w + " is not a string");
      }
      out.add(w.asText());
    }
    return out;
  }

  static List<String> shellWords(String field, String s) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'') {
        int end = s.indexOf('\'', i + 1);
        if (end < 0) {
          throw unterminated(field, s, "single");
        }
        word.append(s, i + 1, end);
        i = end;
        inWord = true;
      } else if (c == '"') {
        int j = i + 1;
        for (; j < s.length() && s.charAt(j) != '"'; j++) {
          char d = s.charAt(j);
          if (d == '\\' && j + 1 < s.length() && "\"\\$`".indexOf(s.charAt(j + 1)) >= 0) {
            word.append(s.charAt(++j));
          } else {
            word.append(d);
          }
        }
        if (j >= s.length()) {
          throw unterminated(field, s, "double");
        }
        i = j;
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 >= s.length()) {
          throw new InvalidRequestException(field, "'" + s + "' ends with a lone backslash");
        }
        word.append(s.charAt(++i));
        inWord = true;
      } else if (c == ' ' || c == '\t' || c == '\n') {
        if (inWord) {
          out.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      out.add(word.toString());
    }
    return out;
  }

  private static InvalidRequestException unterminated(String field, String s, String kind) {
    return new InvalidRequestException(field, "'" + s + "' has an unterminated " + kind
        + "-quoted string");
  }
}
