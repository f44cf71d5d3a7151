package com.creditseg.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.Settings;
import com.creditseg.config.SettingsLoader;
import com.creditseg.metrics.RunMetrics;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three extracts of very different shapes, each run end to end through its mapping in
 * conf/examples/ alone, with a few values checked against what the mapping must make of them.
 */
@ExtendWith(SharedSpark.class)
class ForeignExtractTest {
  @TempDir Path tmp;

  record Run(RunMetrics metrics, Map<String, Row> segments) {}

  Run run(String example, List<String> lines) throws Exception {
    Path input = tmp.resolve("extract.csv");
    Files.writeString(input, String.join("\n", lines) + "\n");
    return execute(
        List.of(new File("conf/examples/" + example)),
        List.of(
            "input.path=" + input,
            "segment.k=3",
            "segment.seeds=1",
            "segment.max-iterations=10",
            "quality.max-quarantined-share=0.2"),
        "out");
  }

  /**
   * Runs the job with these config files and overrides into {@code tmp/<output>}; checks that the
   * rows reconcile and returns the metrics and the segmented customers by id.
   */
  Run execute(List<File> configs, List<String> overrides, String output) {
    String out = tmp.resolve(output).toString();
    // Supervised models have their own tests (SegmentationJobTest, SupervisedRunTest); an override
    // may turn them back on.
    List<String> all = new ArrayList<>(List.of("model.supervised.enabled=false"));
    all.addAll(overrides);
    all.add("output.path=" + out);
    Settings settings = new SettingsLoader().load(configs, all, LocalDate.of(2026, 1, 31));
    RunMetrics metrics = new SegmentationJob(SharedSpark.spark(), settings).run().metrics();
    assertTrue(metrics.rows().reconciled());
    Map<String, Row> byId = new TreeMap<>();
    SharedSpark.spark()
        .read()
        .parquet(out + "/run_date=2026-01-31/segments")
        .collectAsList()
        .forEach(r -> byId.put(r.getAs("customer_id"), r));
    return new Run(metrics, byId);
  }

  @Test
  void wideMonthlyStatusColumnsWithAYesNoLabel() throws Exception {
    Random random = new Random(11);
    List<String> lines =
        new ArrayList<>(
            List.of(
                "ID,LIMIT_BAL,SEX,EDUCATION,MARRIAGE,AGE,PAY_1,PAY_2,PAY_3,PAY_4,PAY_5,PAY_6,BILL_AMT1,"
                    + "PAY_AMT1,INCOME,default next month"));
    lines.add("1,20000,2,2,1,24,2,2,-1,-1,0,0,3913,0,24000,yes");
    for (int i = 2; i <= 60; i++) {
      int risk = random.nextInt(4);
      StringBuilder pays = new StringBuilder();
      for (int m = 0; m < 6; m++) {
        pays.append(random.nextInt(6) < risk ? 1 + random.nextInt(3) : -1).append(',');
      }
      lines.add(
          i
              + ","
              + (10_000 * (1 + random.nextInt(20)))
              + ","
              + (1 + random.nextInt(2))
              + ","
              + (1 + random.nextInt(4))
              + ","
              + (1 + random.nextInt(3))
              + ","
              + (21 + random.nextInt(40))
              + ","
              + pays
              + random.nextInt(50_000)
              + ","
              + random.nextInt(5_000)
              + ","
              + (20_000 + random.nextInt(80_000))
              + ","
              + (risk >= 2 ? "yes" : "no"));
    }
    lines.add("61,20000,9,2,1,30,0,0,0,0,0,0,100,0,30000,maybe"); // unmappable label
    Run run = run("monthly-status-csv.conf", lines);
    assertEquals(61, run.metrics().rows().in());
    assertEquals(1, run.metrics().quality().quarantinedByReason().get("unmappable_category"));
    Row first = run.segments().get("1");
    assertEquals(8, first.<Integer>getAs("late_payments_24m")); // 2 late months of 6, times 4
    assertEquals(4.0 / 6, first.<Double>getAs("payment_history"), 1e-12);
    assertEquals(3913.0 / 20000, first.<Double>getAs("credit_utilization_ratio"), 1e-12);
    assertEquals("Female", first.getAs("gender"));
    assertEquals("Bachelor", first.getAs("education_level")); // "2", university
    assertEquals(1, first.<Integer>getAs("defaulted"));
  }

  /**
   * The real Statlog German credit file (1,000 applicants, coded fields, no header) through its
   * shipped example: savings and checking levels as ordinal extra columns, clustered and scored on;
   * the riskier the segment, the more of its applicants were bad.
   */
  @Test
  void germanCreditBureauFileRunsThroughItsExample() throws Exception {
    RunMetrics metrics =
        execute(
                List.of(new File("conf/examples/german-credit-bureau.conf")),
                List.of("segment.seeds=1"),
                "out-german")
            .metrics();
    assertEquals(1000, metrics.rows().in());
    assertEquals(1000, metrics.rows().out());
    assertEquals(4, metrics.segments().k());
    Dataset<Row> segments =
        SharedSpark.spark()
            .read()
            .parquet(tmp.resolve("out-german/run_date=2026-01-31/segments").toString());
    // Checking levels A11, A12, A13 (274, 269, 63 applicants) read as 1, 2, 3; A14 (no account,
    // 394) is missing and imputed with the median level of the other 606, 2.
    assertEquals(2.0, metrics.quality().imputationMedians().get("checking_level"));
    Map<Integer, Long> byLevel = new TreeMap<>();
    segments
        .groupBy("checking_level")
        .count()
        .collectAsList()
        .forEach(r -> byLevel.put(r.getInt(0), r.getLong(1)));
    assertEquals(Map.of(1, 274L, 2, 269L + 394L, 3, 63L), byLevel);
    assertEquals(394, segments.filter("array_contains(repairs, 'imputed:checking_level')").count());
    List<Row> rates =
        segments.groupBy("segment_rank").avg("defaulted").orderBy("segment_rank").collectAsList();
    for (int r = 1; r < rates.size(); r++) {
      assertTrue(
          rates.get(r).getDouble(1) < rates.get(r - 1).getDouble(1),
          "bad rate must fall with the segment's rank: " + rates);
    }
  }

  @Test
  void anOrdinalExtraColumnIsAClusteringFeatureAndAScoreInput() throws Exception {
    // A bureau extract's savings level: ordinal categories, the strongest predictor in such data.
    List<String> savings = List.of("little", "moderate", "quite rich", "rich");
    Random random = new Random(5);
    List<String> lines = new ArrayList<>(List.of("ID,Saving accounts,Util,PayHist,Bad"));
    lines.add("k1,Quite Rich,0.5,0.9,0");
    lines.add("k2,NA,0.3,0.95,0");
    lines.add("k3,plenty,0.3,0.95,0");
    for (int i = 4; i <= 90; i++) {
      int level = random.nextInt(4);
      lines.add(
          String.format(
              Locale.ROOT,
              "k%d,%s,%.2f,%.2f,%d",
              i,
              savings.get(level),
              0.9 - 0.2 * level + 0.05 * random.nextDouble(),
              0.82 + 0.05 * level,
              level == 0 && i % 3 == 0 ? 1 : 0));
    }
    Path input = tmp.resolve("bureau.csv");
    Files.writeString(input, String.join("\n", lines) + "\n");
    Run run =
        execute(
            List.of(),
            List.of(
                "input.path=" + input,
                "input.format=csv",
                "input.mapping.columns.customer_id=ID",
                "input.mapping.columns.credit_utilization_ratio=Util",
                "input.mapping.columns.payment_history=PayHist",
                "input.mapping.columns.defaulted=Bad",
                "input.mapping.extra-columns.savings_level={source=\"Saving accounts\","
                    + " type=ordinal, levels=[little, moderate, \"quite rich\", rich]}",
                "quality.columns.savings_level={min=1, max=4, missing=impute-median,"
                    + " out-of-range=reject}",
                "score.factors.savings={weight=0.2, inputs=[{column=savings_level, worst=1,"
                    + " best=4}]}",
                "segment.features=[credit_score, savings_level, credit_utilization_ratio]",
                "segment.k=3",
                "segment.seeds=1",
                "segment.max-iterations=10",
                "quality.max-quarantined-share=0.2"),
            "out-bureau");
    RunMetrics metrics = run.metrics();
    String output = tmp.resolve("out-bureau").toString();
    assertEquals(90, metrics.rows().in());
    assertEquals(1, metrics.rows().quarantined(), "plenty is not a savings level");
    assertEquals(
        List.of("credit_score", "savings_level", "credit_utilization_ratio"),
        metrics.segments().features());
    assertEquals(0.2 / 0.85, metrics.score().factorWeights().get("savings"), 1e-12);

    Map<String, Row> byId = run.segments();
    Row k1 = byId.get("k1");
    assertEquals(3, k1.<Integer>getAs("savings_level"), "quite rich is the third level");
    // payment_history 0.35 (g 0.5), amounts_owed 0.30 (g 0.5), savings 0.2 (g 2/3), of 0.85:
    // 300 + 550 * (0.175 + 0.15 + 0.1333) / 0.85 = 596.6
    assertEquals(597, k1.<Integer>getAs("credit_score"));
    double median = metrics.quality().imputationMedians().get("savings_level");
    assertEquals((int) median, byId.get("k2").<Integer>getAs("savings_level"));
    assertEquals(
        List.of("imputed:savings_level"),
        byId.get("k2").getList(byId.get("k2").fieldIndex("repairs")));
    Row quarantined =
        SharedSpark.spark().read().parquet(output + "/run_date=2026-01-31/quarantine").first();
    assertEquals("k3", quarantined.getAs("customer_id"));
    assertEquals("unmappable_category", quarantined.getAs("reason"));
    assertEquals("savings_level", quarantined.getAs("reason_column"));
    // The safest segment holds the richest savers on average.
    List<Row> profile =
        SharedSpark.spark()
            .read()
            .parquet(output + "/run_date=2026-01-31/segments")
            .groupBy("segment_rank")
            .avg("savings_level")
            .orderBy("segment_rank")
            .collectAsList();
    assertTrue(
        profile.get(0).getDouble(1) < profile.get(profile.size() - 1).getDouble(1),
        profile.toString());
  }

  @Test
  void naStringsAndOrdinalLevels() throws Exception {
    Random random = new Random(12);
    List<String> lines =
        new ArrayList<>(
            List.of(
                "Id,SeriousDlqin2yrs,RevolvingUtilization,age,NumberOfTime30-59DaysPastDue,MonthlyIncome,"
                    + "NumberOfOpenCreditLines,NumberOfTimes90DaysLate,MonthsOnBook,EmploymentBand,"
                    + "Education"));
    lines.add("1,0,0.25,45,1,NA,6,1,120,E2,L3");
    for (int i = 2; i <= 60; i++) {
      lines.add(
          i
              + ","
              + (random.nextInt(8) == 0 ? 1 : 0)
              + ","
              + String.format(Locale.ROOT, "%.3f", random.nextDouble())
              + ","
              + (22 + random.nextInt(50))
              + ","
              + random.nextInt(3)
              + ","
              + (random.nextInt(10) == 0 ? "NA" : String.valueOf(1500 + random.nextInt(9000)))
              + ","
              + (1 + random.nextInt(12))
              + ","
              + random.nextInt(2)
              + ","
              + (6 + random.nextInt(300))
              + ",E"
              + random.nextInt(4)
              + ",L"
              + (1 + random.nextInt(4)));
    }
    Run run = run("na-ordinal-csv.conf", lines);
    assertEquals(60, run.metrics().rows().in());
    Row first = run.segments().get("1");
    assertEquals(2, first.<Integer>getAs("late_payments_24m"));
    assertEquals("Employed", first.getAs("employment_status"));
    assertEquals("Master", first.getAs("education_level"));
    // NA income is imputed with the median of the yearly incomes
    double median = run.metrics().quality().imputationMedians().get("annual_income");
    assertEquals(median, first.<Double>getAs("annual_income"), 1e-9);
    assertEquals(List.of("imputed:annual_income"), first.getList(first.fieldIndex("repairs")));
    assertTrue(median > 12 * 1500 && median < 12 * 10_500, "yearly: " + median);
  }

  @Test
  void semicolonsDecimalCommasAndDates() throws Exception {
    Random random = new Random(13);
    List<String> lines =
        new ArrayList<>(
            List.of(
                "Kundennummer;Einkommen monatlich;Auslastung %;Puenktlich %;Verzug 24M;Konto eroeffnet;"
                    + "Anfragen;Konten"));
    lines.add("K-0001;3250,50;35,5;97,0;1;15.03.2014;2;4");
    for (int i = 2; i <= 60; i++) {
      lines.add(
          String.format(
              Locale.ROOT,
              "K-%04d;%d,%02d;%d,%d;%d,0;%d;%02d.%02d.%d;%d;%d",
              i,
              1500 + random.nextInt(6000),
              random.nextInt(100),
              random.nextInt(100),
              random.nextInt(10),
              80 + random.nextInt(21),
              random.nextInt(6),
              1 + random.nextInt(28),
              1 + random.nextInt(12),
              1995 + random.nextInt(30),
              random.nextInt(5),
              1 + random.nextInt(8)));
    }
    lines.add("K-0061;3250,50;35,5;97,0;1;31.02.2014;2;4"); // no such date
    Run run = run("semicolon-decimal-comma-csv.conf", lines);
    assertEquals(61, run.metrics().rows().in());
    assertEquals(1, run.metrics().quality().quarantinedByReason().get("invalid_date"));
    Row first = run.segments().get("K-0001");
    assertEquals(3250.50 * 12, first.<Double>getAs("annual_income"), 1e-9);
    assertEquals(0.355, first.<Double>getAs("credit_utilization_ratio"), 1e-12);
    assertEquals(0.97, first.<Double>getAs("payment_history"), 1e-12);
    // 15.03.2014 to 31.01.2026: 11 years and 10 months and a half
    assertEquals(142, first.<Integer>getAs("credit_history_months"));
  }

  @Test
  void publicSampleRunsEndToEnd() {
    RunMetrics metrics =
        execute(
                List.of(new File("conf/examples/credit-scoring-csv.conf")),
                List.of("segment.seeds=1"),
                "out")
            .metrics();
    assertEquals(1000, metrics.rows().in());
    assertTrue(metrics.rows().reconciled());
    assertEquals(
        1000, metrics.rows().out() + metrics.rows().quarantined() + metrics.rows().deduplicated());
    assertEquals(List.of("length_of_history", "new_credit"), metrics.score().droppedFactors());
    assertEquals(4, metrics.segments().clusters().size());
    assertEquals(
        Set.of("Very Low", "Low", "Good", "Excellent"),
        Set.copyOf(metrics.segments().clusters().stream().map(c -> c.label()).toList()));
    assertTrue(tmp.resolve("out/run_date=2026-01-31/_SUCCESS").toFile().exists());
  }
}
