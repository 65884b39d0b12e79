package dev.imagebuilder.core.internal.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one Jackson configuration the wire format reads and writes with. Trailing content after
 * the document is refused by {@link WireReader} itself: it reads item values as subtrees, where
 * Jackson's FAIL_ON_TRAILING_TOKENS would refuse the next key.
 */
final class WireJson {
  /** Requests are a few hundred bytes each; a megabyte is thousands of them. */
  static final int MAX_DOCUMENT_CHARS = 1 << 20;

  /**
   * A document needs three levels (array, item, list value). A little slack lets a list of
   * lists be reported as a wrong type rather than as a nesting error.
   */
  static final int MAX_NESTING_DEPTH = 8;

  /** Longer than any integer a request can hold; keeps BigInteger/BigDecimal parsing cheap. */
  static final int MAX_NUMBER_LENGTH = 64;

  /** No key is longer than 20 characters; unknown keys are reported, shortened. */
  static final int MAX_NAME_LENGTH = 1024;

  /**
   * Floats stay doubles, not BigDecimal: every JSON number parses as a double (at worst to
   * infinity), while BigDecimal refuses exponents past int range with a NumberFormatException.
   */
  static final JsonMapper MAPPER = JsonMapper.builder(
          JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder()
                  .maxDocumentLength(MAX_DOCUMENT_CHARS)
                  .maxNestingDepth(MAX_NESTING_DEPTH)
                  .maxNumberLength(MAX_NUMBER_LENGTH)
                  .maxNameLength(MAX_NAME_LENGTH)
                  .maxStringLength(MAX_DOCUMENT_CHARS)
                  .build())
              .build())
      .build();

  private WireJson() {}
}
