package com.creditseg.io;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.InputSettings;
import com.creditseg.config.InputSettings.ColumnSource;
import com.creditseg.schema.InputContractException;
import com.creditseg.schema.Names;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The source columns by the keys a name is matched with: as written (any case, no byte-order mark),
 * in canonical form, and by letters and digits alone.
 */
final class SourceNames {
  private final Map<String, String> byName = new LinkedHashMap<>();
  private final Map<String, String> byCanonicalForm = new LinkedHashMap<>();
  private final Map<String, String> byLettersAndDigits = new LinkedHashMap<>();

  SourceNames(List<String> sourceColumns) {
    for (String c : sourceColumns) {
      byName.putIfAbsent(Names.nameKey(c), c);
      byCanonicalForm.putIfAbsent(Names.canonicalForm(c), c);
      byLettersAndDigits.putIfAbsent(Names.lettersAndDigits(c), c);
    }
  }

  /**
   * The source column of {@code canonical}: the one its mapping names (an error when the input does
   * not have it), else one of the same name; null when there is none.
   */
  String sourceOf(
      String canonical,
      CustomerReader.Target target,
      InputSettings settings,
      List<String> sourceColumns) {
    ColumnSource from = target.from();
    String name =
        from != null
            ? byName.get(Names.nameKey(from.source()))
            : byCanonicalForm.getOrDefault(
                canonical, byLettersAndDigits.get(Names.lettersAndDigits(canonical)));
    if (name == null && from != null) {
      throw new InputContractException(
          String.format(
              "%s names source column '%s', which the input does not"
                  + " have%s (mapping '%s', input %s, columns found: %s)",
              target.key(),
              from.source(),
              Names.closest(
                      Names.lettersAndDigits(from.source()),
                      sourceColumns,
                      Names::lettersAndDigits,
                      Math.max(2, Names.lettersAndDigits(from.source()).length() / 4))
                  .map(c -> "; did you mean '" + c + "'?")
                  .orElse(""),
              settings.mapping().name(),
              settings.path(),
              Names.listed(sourceColumns)));
    }
    return name;
  }
}
