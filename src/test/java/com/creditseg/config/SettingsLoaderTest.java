package com.creditseg.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.config.QualitySettings.MissingPolicy;
import com.creditseg.config.QualitySettings.RangePolicy;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
  static final LocalDate TODAY = LocalDate.of(2026, 3, 14);

  static Settings load(String... overrides) {
    return new SettingsLoader().load(List.of(), List.of(overrides), TODAY);
  }

  static String error(String... overrides) {
    return assertThrows(InvalidSettingsException.class, () -> load(overrides)).getMessage();
  }

  @Test
  void defaultsComeFromReferenceConf() {
    Settings s = load();
    assertEquals(TODAY, s.run().date());
    assertEquals("parquet", s.input().format());
    assertEquals(5, s.segment().k());
    assertFalse(s.segment().autoK());
    assertEquals(
        List.of("amounts_owed", "credit_mix", "length_of_history", "new_credit", "payment_history"),
        s.score().factors().stream().map(f -> f.name()).toList());
    assertEquals(0.35, s.score().factors().get(4).weight());
    assertEquals(
        List.of("Very Poor", "Poor", "Fair", "Good", "Excellent"), s.segment().labels().get(5));
    QualitySettings.ColumnRule age = s.quality().columns().get("age");
    assertEquals(
        new QualitySettings.ColumnRule(
            "age", 18, 120, MissingPolicy.IMPUTE_MEDIAN, RangePolicy.REJECT),
        age);
  }

  @Test
  void overridesWinOverFilesWhichWinOverReference(@TempDir Path dir) throws Exception {
    File a = dir.resolve("a.conf").toFile();
    File b = dir.resolve("b.conf").toFile();
    Files.writeString(a.toPath(), "input.path = /a\nsegment.k = 4\noutput.path = out\n");
    Files.writeString(b.toPath(), "input.path = /b\n");
    Settings s =
        new SettingsLoader()
            .load(
                List.of(a, b),
                List.of(
                    "run.date=2026-01-31",
                    "output.path=s3a://bucket/x//y",
                    "segment.k=auto",
                    "segment.features=[credit_score, annual_income]"),
                TODAY);
    assertEquals("/b", s.input().path());
    assertEquals("s3a://bucket/x//y", s.output().path());
    assertEquals(LocalDate.of(2026, 1, 31), s.run().date());
    assertTrue(s.segment().autoK());
    assertEquals(List.of(3, 4, 5, 6, 7), s.segment().candidateKs());
    assertEquals(List.of("credit_score", "annual_income"), s.segment().features());
  }

  @Test
  void unknownKeySuggestsTheClosest() {
    assertEquals(
        "Unknown key 'segment.kk' (--set segment.kk): did you mean 'segment.k'?",
        error("segment.kk=5"));
    assertTrue(error("inptu.path=x").contains("did you mean 'input.path'?"));
    assertEquals(
        "Unknown key 'quality.columns.age.maximum': expected min, max, missing, out-of-range, constant",
        error("quality.columns.age.maximum=3"));
  }

  @Test
  void extraColumnsAreDeclaredWithATypeAndUsableAsFeatures() {
    Settings s =
        load(
            "input.mapping.extra-columns.savings_level={source=Savings, type=ordinal,"
                + " levels=[little, moderate, rich]}",
            "input.mapping.extra-columns.branch={source=Branch, type=string}",
            "segment.features=[credit_score, savings_level]",
            "segment.feature-weights.savings_level=2",
            "score.factors.branch={weight=0.1, inputs=[{column=branch, values={north=1, south=0.5}}]}");
    InputSettings.ExtraColumn savings = s.input().mapping().extraColumns().get("savings_level");
    assertEquals(Map.of("little", "1", "moderate", "2", "rich", "3"), savings.levelNumbers());
    assertEquals(DataTypes.IntegerType, s.input().mapping().typeOf("savings_level"));
    assertEquals(2.0, s.segment().featureWeights().get("savings_level"));

    assertEquals(
        "input.mapping.extra-columns.age is not valid: 'age' is a canonical column: map it under"
            + " input.mapping.columns",
        error("input.mapping.extra-columns.age={source=Age, type=int}"));
    assertEquals(
        "input.mapping.extra-columns.savings.type is required: one of double, int, string, ordinal",
        error("input.mapping.extra-columns.savings={source=S}"));
    assertEquals(
        "input.mapping.extra-columns.savings.levels = [a] is not valid: expected two or more"
            + " distinct values, lowest first",
        error("input.mapping.extra-columns.savings={source=S, type=ordinal, levels=[a]}"));
    assertEquals(
        "input.mapping.categories.savings is not valid: extra column 'savings' is of type ordinal;"
            + " a categories block is for string columns (an ordinal's levels say how its values"
            + " read)",
        error(
            "input.mapping.extra-columns.savings={source=S, type=ordinal, levels=[a, b]}",
            "input.mapping.categories.savings={x=a}"));
  }

  @Test
  void badValuesNameTheKeyAndValue() {
    assertEquals(
        "segment.k = 'seven' is not valid: expected a whole number >= 2, or auto",
        error("segment.k=seven"));
    assertEquals("segment.k = 1 is out of range: expected 2 to 100, or auto", error("segment.k=1"));
    assertEquals(
        "input.format = 'orc' is not valid: expected one of [parquet, csv]",
        error("input.format=orc"));
    assertEquals(
        "run.date = '2026-13-01' is not valid: expected yyyy-MM-dd or 'today'",
        error("run.date=2026-13-01"));
    assertEquals(
        "quality.columns.age.missing = 'drop' is not valid: expected one of"
            + " [impute-median, impute-constant, reject]",
        error("quality.columns.age.missing=drop"));
    assertEquals(
        "segment.labels has no labels for k = 9: add segment.labels.\"9\" ="
            + " [riskiest, ..., safest]",
        error("segment.k=9"));
    assertTrue(error("generate.rows=many").startsWith("generate.rows = \"many\" is not valid"));
    assertEquals(
        "generate.faults.null-rate = 1.5 is out of range: expected 0.0 to 1.0",
        error("generate.faults.null-rate=1.5"));
    assertEquals("--set 'segment.k' is not valid: expected key=value", error("segment.k"));
  }

  @Test
  void categoryTargetsAreLevelsOfTheColumn() {
    assertEquals(
        "input.mapping.categories.education_level.\"2\" = \"University\" is not a level of"
            + " education_level (High School, Bachelor, Master, PhD, Other)",
        error("input.mapping.categories.education_level={\"1\"=Master, \"2\"=University}"));
    assertEquals(
        "input.mapping.categories.employment_status.\"E3\" = \"Self Employed\" is not a level"
            + " of employment_status (Employed, Self-Employed, Unemployed, Other): did you mean"
            + " \"Self-Employed\"?",
        error("input.mapping.categories.employment_status={E3=\"Self Employed\"}"));
    // The level's own spelling, whatever the case written.
    assertEquals(
        Map.of("D", "PhD"),
        load("input.mapping.categories.education_level={D=phd}")
            .input()
            .mapping()
            .categories()
            .get("education_level"));
    // An extra column's declared levels are its vocabulary; a label's values are numbers.
    assertEquals(
        Map.of("yes", "1", "no", "0"),
        load("input.mapping.categories.defaulted={yes=1, no=0}")
            .input()
            .mapping()
            .categories()
            .get("defaulted"));
  }

  @Test
  void placeholderIdsAreComparedInLowerCase() {
    assertEquals(
        List.of("(blank)", "unknown"),
        load("input.placeholder-ids=[\"(Blank)\", \" UNKNOWN \"]").input().placeholderIds());
    assertTrue(load().input().placeholderIds().contains("(blank)"));
    assertTrue(
        new SettingsLoader()
            .loadRfm(List.of(), List.of(), TODAY)
            .transactions()
            .input()
            .placeholderIds()
            .contains("unknown"));
  }

  @Test
  void protectedAttributesCannotBeScoreInputs() {
    assertEquals(
        "score.factors.youth.inputs uses protected attribute 'age':"
            + " score.protected-attributes may never be score inputs",
        error("score.factors.youth={weight=1, inputs=[{column=age, worst=18, best=60}]}"));
  }

  @Test
  void runNeedsInputAndOutput() {
    InvalidSettingsException e =
        assertThrows(InvalidSettingsException.class, () -> load().requireInputAndOutput());
    assertEquals(
        "input.path is required: where to read customers from (--set input.path=...)",
        e.getMessage());
  }

  @Test
  void medianSampleIsBoundedBecauseItIsCollected() {
    assertEquals(
        1_000_000, load("quality.median-sample-rows=1000000").quality().medianSampleRows());
    assertTrue(
        error("quality.median-sample-rows=1000001").contains("quality.median-sample-rows"),
        error("quality.median-sample-rows=1000001"));
  }

  @Test
  void missingConfigFileIsNamed() {
    InvalidSettingsException e =
        assertThrows(
            InvalidSettingsException.class,
            () -> new SettingsLoader().load(List.of(new File("/nope.conf")), List.of(), TODAY));
    assertEquals("Config file not found: /nope.conf", e.getMessage());
  }

  @Test
  void aDirectoryOrAMissingIncludeIsNamedForWhatItIs(@TempDir Path dir) throws Exception {
    InvalidSettingsException directory =
        assertThrows(
            InvalidSettingsException.class,
            () -> new SettingsLoader().load(List.of(dir.toFile()), List.of(), TODAY));
    assertEquals(
        "--config " + dir + " is a directory; name a config file (.conf) in it",
        directory.getMessage());

    Path including = Files.writeString(dir.resolve("a.conf"), "include required(\"/no/x.conf\")\n");
    InvalidSettingsException include =
        assertThrows(
            InvalidSettingsException.class,
            () -> new SettingsLoader().load(List.of(including.toFile()), List.of(), TODAY));
    assertEquals(
        "Cannot read config file "
            + including
            + ": it includes 'no/x.conf' (or '/no/x.conf'), which is no file (relative to the"
            + " including file, or absolute) and no resource; check the path in its include",
        include.getMessage());
  }

  @Test
  void aQuotedNumberIsANumber() {
    assertEquals(3, load("segment.k=\"3\"").segment().k());
    assertEquals(
        0.2, load("quality.max-quarantined-share=\"0.2\"").quality().maxQuarantinedShare());
  }
}
