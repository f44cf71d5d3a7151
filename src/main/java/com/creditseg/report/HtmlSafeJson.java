package com.creditseg.report;

import com.creditseg.io.RunOutput;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * JSON that can sit inside an HTML {@code <script>} element: besides JSON's own escapes, {@code <},
 * {@code >}, {@code &} and {@code '} are written as {@code \u003C} etc., so no string from the data
 * (a segment label {@code </script><script>…}) can close the element or open a comment, and
 * U+2028/U+2029 are escaped for older JavaScript parsers. {@code JSON.parse} reads the text back
 * unchanged.
 */
final class HtmlSafeJson {
  private static final ObjectWriter WRITER =
      RunOutput.JSON.writer().without(SerializationFeature.INDENT_OUTPUT).with(new Escapes());

  private HtmlSafeJson() {}

  static String write(Object value) {
    try {
      return WRITER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the report data as JSON", e);
    }
  }

  private static final class Escapes extends CharacterEscapes {
    private static final SerializedString LINE_SEPARATOR = new SerializedString("\\u2028");
    private static final SerializedString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");
    private final int[] ascii;

    Escapes() {
      ascii = CharacterEscapes.standardAsciiEscapesForJSON();
      for (char c : new char[] {'<', '>', '&', '\''}) {
        ascii[c] = CharacterEscapes.ESCAPE_STANDARD;
      }
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return switch (ch) {
        case 0x2028 -> LINE_SEPARATOR;
        case 0x2029 -> PARAGRAPH_SEPARATOR;
        default -> null;
      };
    }
  }
}
