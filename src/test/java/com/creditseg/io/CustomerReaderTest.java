package com.creditseg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.TestSettings;
import com.creditseg.config.InvalidSettingsException;
import com.creditseg.config.Settings;
import com.creditseg.schema.InputContractException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Mapping foreign sources onto the canonical schema by configuration alone. */
@ExtendWith(SharedSpark.class)
class CustomerReaderTest {
  static final File CSV_EXAMPLE = new File("conf/examples/credit-scoring-csv.conf");
  @TempDir Path tmp;

  static Settings settings(List<File> files, String... overrides) {
    return TestSettings.of(files, List.of(overrides));
  }

  /** A CSV file in the test's folder: the lines, each ended by a newline. */
  Path csvFile(String name, String... lines) throws IOException {
    return Files.writeString(tmp.resolve(name), String.join("\n", lines) + "\n");
  }

  /** Settings reading {@code csv} as CSV, with {@code overrides}. */
  static Settings csvSettings(Path csv, String... overrides) {
    List<String> all = new ArrayList<>(List.of("input.path=" + csv, "input.format=csv"));
    all.addAll(List.of(overrides));
    return settings(List.of(), all.toArray(String[]::new));
  }

  static CustomerReader.Input read(Settings settings, String... required) {
    return new CustomerReader(SharedSpark.spark(), settings.input(), settings.run().date())
        .read(
            Arrays.stream(required).collect(Collectors.toMap(c -> c, c -> "needed by this test")));
  }

  @Test
  void publicSampleMapsThroughTheShippedConfig() {
    CustomerReader.Input input = read(settings(List.of(CSV_EXAMPLE)), "customer_id", "age");
    Dataset<Row> customers = input.customers();
    assertTrue(input.customerIdDerived());
    assertEquals(1000, customers.count());
    assertEquals(1000, customers.select("customer_id").distinct().count());
    assertEquals(
        List.of(
            "customer_id",
            "age",
            "gender",
            "marital_status",
            "education_level",
            "employment_status",
            "credit_utilization_ratio",
            "payment_history",
            "number_of_credit_accounts",
            "loan_amount",
            "interest_rate",
            "loan_term",
            "type_of_loan",
            "parse_errors",
            "source_record"),
        List.of(customers.columns()));
    // First data row: 38,Male,Single,PhD,Employed,0.27,1382.0,6,2873837.0,9.33,42,Personal Loan
    Row first = customers.filter("age = 38 and loan_amount = 2873837.0").first();
    assertEquals("Male", first.getAs("gender"));
    assertEquals(0.27, first.<Double>getAs("credit_utilization_ratio"), 1e-12);
    // 1382 on [1000, 3000] is 19.1 % of the way: 0.80 + 0.191 * 0.20 = 0.8382
    assertEquals(0.8382, first.<Double>getAs("payment_history"), 1e-9);
    assertEquals(6, first.<Integer>getAs("number_of_credit_accounts"));
    assertEquals(0, customers.filter("size(parse_errors) > 0").count());
    // Derived ids are the same on every read.
    List<Row> again =
        read(settings(List.of(CSV_EXAMPLE)), "customer_id")
            .customers()
            .filter("age = 38 and loan_amount = 2873837.0")
            .select("customer_id")
            .collectAsList();
    assertEquals(first.getAs("customer_id"), again.get(0).getString(0));
  }

  @Test
  void aCsvReadForSeveralPassesIsParsedOnceKeptOnDiskAndGivesTheSameRows() throws Exception {
    Path csv =
        csvFile(
            "extract.csv",
            "Customer ID,Annual Income (EUR),Util %,Status",
            "a1,52000,0.35,Employed",
            "a2,NA,abc,Unemployed",
            "a3,61000,0.1", // malformed: a field short
            "a4,48000,0.2,Employed");
    Settings settings =
        csvSettings(
            csv,
            "input.mapping.columns.customer_id=Customer ID",
            "input.mapping.columns.annual_income=Annual Income (EUR)",
            "input.mapping.columns.credit_utilization_ratio=Util %",
            "input.mapping.columns.employment_status=Status");
    CustomerReader reader =
        new CustomerReader(SharedSpark.spark(), settings.input(), settings.run().date());
    CustomerReader.Input lazy = reader.read(Map.of());
    assertEquals(StorageLevel.NONE(), lazy.customers().storageLevel());
    // Collected before the kept read: the same plan would be answered from its cache after it.
    List<Row> expected = lazy.customers().orderBy("customer_id").collectAsList();
    CustomerReader.Input kept = reader.readParsedOnce(Map.of());
    try {
      assertEquals(4, kept.rows());
      assertEquals(lazy.rows(), kept.rows());
      assertEquals(StorageLevel.DISK_ONLY(), kept.customers().storageLevel());
      assertEquals(List.of(lazy.customers().columns()), List.of(kept.customers().columns()));
      // Every value the same, the malformed line's raw text and the parse errors included.
      List<Row> actual = kept.customers().orderBy("customer_id").collectAsList();
      assertEquals(expected, actual);
      Row a2 = actual.get(1);
      assertEquals("a2", a2.getAs("customer_id"));
      assertTrue(a2.isNullAt(a2.fieldIndex("annual_income")));
      assertEquals(
          List.of("not_a_number:credit_utilization_ratio"),
          a2.getList(a2.fieldIndex("parse_errors")));
      Row a3 = actual.get(2);
      assertEquals(List.of("malformed_line:_line"), a3.getList(a3.fieldIndex("parse_errors")));
      assertEquals(
          "a3,61000,0.1", a3.getStruct(a3.fieldIndex("source_record")).getAs("_corrupt_record"));
    } finally {
      kept.release();
    }
    assertEquals(StorageLevel.NONE(), kept.customers().storageLevel());
  }

  @Test
  void aParquetInputReadForSeveralPassesStaysLazy() throws Exception {
    Path parquet = tmp.resolve("customers.parquet");
    SharedSpark.spark()
        .sql("SELECT 'p1' AS customer_id, 52000.0 AS annual_income")
        .write()
        .parquet(parquet.toString());
    Settings settings = settings(List.of(), "input.path=" + parquet);
    CustomerReader.Input input =
        new CustomerReader(SharedSpark.spark(), settings.input(), settings.run().date())
            .readParsedOnce(Map.of());
    assertEquals(1, input.rows());
    assertEquals(StorageLevel.NONE(), input.customers().storageLevel());
    assertEquals(52000.0, input.customers().first().<Double>getAs("annual_income"), 1e-12);
  }

  @Test
  void categoriesAndUnparseableValues() throws Exception {
    Path csv =
        csvFile(
            "bank.csv",
            "ID;Salary;Util %;Status;Late",
            "a1;52000;35;EMP;0",
            "a2;NA;120;UNEMP;two",
            "a3;61000;abc;contract;1",
            "a4;61000,5;10; emp ;1");
    Settings settings =
        csvSettings(
            csv,
            "input.csv.delimiter=;",
            "input.csv.null-values=[NA]",
            "input.mapping.name=bank",
            "input.mapping.columns.customer_id=ID",
            "input.mapping.columns.annual_income=Salary",
            "input.mapping.columns.credit_utilization_ratio={source=\"Util %\", rescale-from=[0,100],"
                + " rescale-to=[0,1]}",
            "input.mapping.columns.employment_status=Status",
            "input.mapping.columns.late_payments_24m=Late",
            "input.mapping.categories.employment_status={EMP=Employed, UNEMP=Unemployed}");
    List<Row> rows =
        read(settings, "customer_id").customers().orderBy("customer_id").collectAsList();
    assertEquals("Employed", rows.get(0).getAs("employment_status"));
    assertEquals(0.35, rows.get(0).<Double>getAs("credit_utilization_ratio"), 1e-12);
    assertEquals(52000.0, rows.get(0).<Double>getAs("annual_income"), 1e-12);
    assertEquals(List.of(), rows.get(0).getList(rows.get(0).fieldIndex("parse_errors")));
    // NA is a missing value, not a parse error; "two" is not a number.
    assertTrue(rows.get(1).isNullAt(rows.get(1).fieldIndex("annual_income")));
    assertEquals("Unemployed", rows.get(1).getAs("employment_status"));
    assertEquals(
        List.of("not_a_number:late_payments_24m"),
        rows.get(1).getList(rows.get(1).fieldIndex("parse_errors")));
    // An unlisted category is unmappable; "abc" is not a number.
    assertEquals("contract", rows.get(2).getAs("employment_status"));
    assertEquals(
        List.of("unmappable_category:employment_status", "not_a_number:credit_utilization_ratio"),
        rows.get(2).getList(rows.get(2).fieldIndex("parse_errors")));
    // Category keys match ignoring case and blanks; with "." as decimal separator "61000,5" is
    // text.
    assertEquals("Employed", rows.get(3).getAs("employment_status"));
    assertEquals(
        List.of("not_a_number:annual_income"),
        rows.get(3).getList(rows.get(3).fieldIndex("parse_errors")));
  }

  @Test
  void aValueAnExpressionFailsOnQuarantinesItsRowInsteadOfStoppingTheRun() throws Exception {
    Path csv =
        csvFile(
            "cards.csv",
            "ID,LIMIT,PAY_1,INCOME",
            "a,\"20,000\",1,\"1,250,000.5\"",
            "b,10000,-,40000",
            "c,0,2,NA",
            "d,5000,x,\"12,34\"");
    Settings settings =
        csvSettings(
            csv,
            "input.csv.grouping-separator=,",
            "input.mapping.columns.customer_id=ID",
            "input.mapping.columns.annual_income=INCOME",
            "input.mapping.columns.credit_utilization_ratio={expression=\"CAST(LIMIT AS DOUBLE)"
                + " / 100000\"}",
            // Under ANSI casts "-" and "x" throw: the row, not the run, pays for it.
            "input.mapping.columns.late_payments_24m={expression=\"4 * CAST(PAY_1 AS INT)\"}",
            // A deliberate null from present numbers is a missing value, not an error.
            "input.mapping.columns.payment_history={expression=\"1 / NULLIF(CAST(LIMIT AS"
                + " DOUBLE), 0) * 1000\"}",
            // TRY_CAST hides the malformed value as null: still not a number, never imputed.
            "input.mapping.columns.spending_score={expression=\"TRY_CAST(PAY_1 AS DOUBLE)\"}");
    List<Row> rows =
        read(settings, "customer_id").customers().orderBy("customer_id").collectAsList();

    Row a = rows.get(0);
    assertEquals(0.2, a.<Double>getAs("credit_utilization_ratio"), 1e-12, "\"20,000\" is 20000");
    assertEquals(1250000.5, a.<Double>getAs("annual_income"), 1e-9);
    assertEquals(4, a.<Integer>getAs("late_payments_24m"));
    assertEquals(0.05, a.<Double>getAs("payment_history"), 1e-12);
    assertEquals(List.of(), a.getList(a.fieldIndex("parse_errors")));
    assertEquals(
        "20,000",
        a.<Row>getAs("source_record").getAs("LIMIT"),
        "the source record keeps the value as it was written");

    Row b = rows.get(1);
    assertTrue(b.isNullAt(b.fieldIndex("late_payments_24m")));
    assertEquals(
        List.of("expression_error:late_payments_24m", "not_a_number:spending_score"),
        b.getList(b.fieldIndex("parse_errors")));

    Row c = rows.get(2);
    assertTrue(c.isNullAt(c.fieldIndex("payment_history")));
    assertTrue(c.isNullAt(c.fieldIndex("annual_income")));
    assertEquals(List.of(), c.getList(c.fieldIndex("parse_errors")));

    Row d = rows.get(3);
    assertEquals(
        List.of(
            "not_a_number:annual_income",
            "expression_error:late_payments_24m",
            "not_a_number:spending_score"),
        d.getList(d.fieldIndex("parse_errors")),
        "\"12,34\" is not grouped in threes: not a number");
  }

  /**
   * A mapping may say what a missing value means: a checking account's NA is "no account" (a level
   * of its own, read as 4 here, the safest), a missing count of late payments is 0. Present values
   * read as ever; a level the column does not have, or a value of the wrong type, is a settings
   * error naming the key.
   */
  @Test
  void theMappingSaysWhatAMissingValueMeans() throws Exception {
    Path csv =
        csvFile(
            "accounts.csv",
            "ID,Checking,Late,Status",
            "a1,A11,2,EMP",
            "a2,NA,,",
            "a3,A13,1,UNEMP",
            "a4,,3,EMP");
    String[] mapping = {
      "input.csv.null-values=[NA]",
      "input.mapping.name=accounts",
      "input.mapping.columns.customer_id=ID",
      "input.mapping.columns.late_payments_24m={source=Late, missing=\"value: 0\"}",
      "input.mapping.columns.employment_status={source=Status, missing=\"level: unemp\"}",
      "input.mapping.categories.employment_status={EMP=Employed, UNEMP=Unemployed}",
      "input.mapping.extra-columns.checking_level={source=Checking, type=ordinal,"
          + " levels=[A11, A12, A13, A14], missing=\"level: A14\"}"
    };
    List<Row> rows =
        read(csvSettings(csv, mapping), "customer_id")
            .customers()
            .orderBy("customer_id")
            .collectAsList();
    assertEquals(List.of(1, 4, 3, 4), rows.stream().map(r -> r.getAs("checking_level")).toList());
    assertEquals(
        List.of(2, 0, 1, 3), rows.stream().map(r -> r.getAs("late_payments_24m")).toList());
    assertEquals(
        List.of("Employed", "Unemployed", "Unemployed", "Employed"),
        rows.stream().map(r -> r.getAs("employment_status")).toList());
    for (Row r : rows) {
      assertEquals(List.of(), r.getList(r.fieldIndex("parse_errors")), r.toString());
    }
    List<String> wrongLevel = new ArrayList<>(List.of(mapping));
    wrongLevel.set(6, wrongLevel.get(6).replace("level: A14", "level: A15"));
    assertEquals(
        "input.mapping.extra-columns.checking_level.missing = \"level: A15\" is not valid: not one"
            + " of its source values (A11, A12, A13, A14)",
        assertThrows(
                InvalidSettingsException.class,
                () -> csvSettings(csv, wrongLevel.toArray(String[]::new)))
            .getMessage());
    List<String> wrongValue = new ArrayList<>(List.of(mapping));
    wrongValue.set(
        3, "input.mapping.columns.late_payments_24m={source=Late, missing=\"value: none\"}");
    assertEquals(
        "input.mapping.columns.late_payments_24m.missing = \"value: none\" is not valid: the"
            + " column is int, the value must be a number",
        assertThrows(
                InvalidSettingsException.class,
                () -> csvSettings(csv, wrongValue.toArray(String[]::new)))
            .getMessage());
  }

  @Test
  void canonicalCategoriesPassThroughAPartialBlock() throws Exception {
    Path csv =
        csvFile(
            "categories.csv",
            "ID,MARRIAGE,EDUCATION",
            "a,Married,High School",
            "b,single,0",
            "c,0,phd",
            "d,3,Bachelor");
    Settings settings =
        csvSettings(
            csv,
            "input.mapping.columns.customer_id=ID",
            "input.mapping.columns.marital_status=MARRIAGE",
            "input.mapping.columns.education_level=EDUCATION",
            "input.mapping.categories.marital_status={\"0\"=Other}",
            "input.mapping.categories.education_level={\"0\"=Other}");
    List<Row> rows =
        read(settings, "customer_id").customers().orderBy("customer_id").collectAsList();

    assertEquals("Married", rows.get(0).getAs("marital_status"));
    assertEquals("High School", rows.get(0).getAs("education_level"));
    assertEquals("Single", rows.get(1).getAs("marital_status"), "canonical, in its own spelling");
    assertEquals("Other", rows.get(1).getAs("education_level"));
    assertEquals("Other", rows.get(2).getAs("marital_status"));
    assertEquals("PhD", rows.get(2).getAs("education_level"));
    for (int i = 0; i < 3; i++) {
      assertEquals(List.of(), rows.get(i).getList(rows.get(i).fieldIndex("parse_errors")));
    }
    assertEquals(
        List.of("unmappable_category:marital_status"),
        rows.get(3).getList(rows.get(3).fieldIndex("parse_errors")),
        "only a value that is neither listed nor canonical is unmappable");
  }

  @Test
  void idAndOtherColumnsAreFoundWhateverTheirCaseAndSeparators() throws Exception {
    Path csv = tmp.resolve("ids.csv");
    Files.writeString(csv, "CustomerID,AnnualIncome,Payment-History\nc7,50000,0.9\n");
    CustomerReader.Input input =
        read(
            settings(List.of(), "input.path=" + csv, "input.format=csv"),
            "customer_id",
            "annual_income",
            "payment_history");
    assertFalse(input.customerIdDerived(), "CustomerID is the customer id");
    Row row = input.customers().first();
    assertEquals("c7", row.getAs("customer_id"));
    assertEquals(50000.0, row.<Double>getAs("annual_income"), 0);
    assertEquals(0.9, row.<Double>getAs("payment_history"), 1e-12);
  }

  @Test
  void aCsvMappingPointedAtParquetSaysSoInsteadOfListingBinaryColumnNames() throws Exception {
    Path parquet = tmp.resolve("customers.parquet");
    SharedSpark.spark()
        .range(5)
        .selectExpr("cast(id as string) as customer_id", "id * 1000.0 as annual_income")
        .coalesce(1)
        .write()
        .parquet(parquet.toString());
    InputContractException e =
        assertThrows(
            InputContractException.class,
            () ->
                read(
                    settings(List.of(), "input.path=" + parquet, "input.format=csv"),
                    "customer_id"));
    assertTrue(
        e.getMessage().startsWith("Input " + parquet + " is not UTF-8 CSV text"), e.getMessage());
    assertTrue(e.getMessage().contains("set input.format = parquet"), e.getMessage());
    assertTrue(e.getMessage().length() < 300, e.getMessage());
  }

  @Test
  void missingColumnsNameTheMappingAndWhatWasFound() throws Exception {
    Path csv = tmp.resolve("small.csv");
    Files.writeString(csv, "ID,Salary\nx,1\n");
    InputContractException absent =
        assertThrows(
            InputContractException.class,
            () ->
                read(
                    settings(
                        List.of(),
                        "input.path=" + csv,
                        "input.format=csv",
                        "input.mapping.name=bank",
                        "input.mapping.columns.customer_id=ID"),
                    "customer_id",
                    "payment_history"));
    assertEquals(
        "Required column payment_history not found in "
            + csv
            + ": payment_history is needed by this test (mapping 'bank'; columns found: ID,"
            + " Salary)",
        absent.getMessage());

    Path near = tmp.resolve("near.csv");
    Files.writeString(near, "ID,Paymnt History\nx,1\n");
    InputContractException suggested =
        assertThrows(
            InputContractException.class,
            () ->
                read(
                    settings(List.of(), "input.path=" + near, "input.format=csv"),
                    "customer_id",
                    "payment_history"));
    assertTrue(
        suggested
            .getMessage()
            .endsWith(
                "columns found: ID, Paymnt History): did you mean source column 'Paymnt"
                    + " History' (map it with input.mapping.columns.payment_history)?"),
        suggested.getMessage());

    InputContractException wrong =
        assertThrows(
            InputContractException.class,
            () ->
                read(
                    settings(
                        List.of(),
                        "input.path=" + csv,
                        "input.format=csv",
                        "input.mapping.name=bank",
                        "input.mapping.columns.annual_income=Income"),
                    "customer_id"));
    assertEquals(
        "input.mapping.columns.annual_income names source column 'Income', which the"
            + " input does not have (mapping 'bank', input "
            + csv
            + ", columns found: ID, Salary)",
        wrong.getMessage());

    InputContractException nowhere =
        assertThrows(
            InputContractException.class,
            () -> read(settings(List.of(), "input.path=" + tmp.resolve("nope")), "customer_id"));
    assertEquals("Input path not found: " + tmp.resolve("nope"), nowhere.getMessage());
  }
}
