package dev.imagebuilder.systemimage.internal.publish;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.imagebuilder.systemimage.internal.protocol.ProtocolJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON documents as the reference server writes them ({@code json.dumps(sort_keys=True, indent=4,
 * separators=(',', ': '))} and a newline): sorted keys, 4-space indent, {@code "key": value}.
 */
final class Documents {
  private static final ObjectWriter WRITER = ProtocolJson.MAPPER.copy()
      .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true)
      .writer(new DefaultPrettyPrinter()
          .withSeparators(Separators.createDefaultInstance()
              .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
          .withObjectIndenter(new DefaultIndenter("    ", "\n"))
          .withArrayIndenter(new DefaultIndenter("    ", "\n")));

  private Documents() {}

  static byte[] render(JsonNode node) throws IOException {
    return (WRITER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
