package com.creditseg.transactions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.InvalidSettingsException;
import com.creditseg.config.SettingsLoader;
import com.creditseg.config.TransactionSettings;
import com.creditseg.schema.InputContractException;
import com.creditseg.schema.TransactionSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A foreign CSV extract through the transactions mapping, then quality and reconciliation. */
@ExtendWith(SharedSpark.class)
class TransactionReaderTest {
  @TempDir Path dir;

  private static final String CSV =
      String.join(
          "\n",
          "Customer ID;Invoice;InvoiceDate;Quantity;Price;Country",
          // used: 6 x 2,55
          "12345;536365;01/12/2010 08:26;6;2,55;United Kingdom",
          // missing customer id (a null marker)
          "NA;536366;01/12/2010 08:28;2;1,85;United Kingdom",
          // a date that does not parse
          "12346;536367;32/13/2010 09:00;1;3,00;France",
          // a quantity that is not a number
          "12346;536368;02/12/2010 09:00;abc;3,00;France",
          // zero price
          "12347;536369;02/12/2010 10:00;4;0,00;Germany",
          // a cancellation (C prefix, negative quantity): used, netted
          "12345;C536370;03/12/2010 10:00;-1;2,55;United Kingdom",
          // thousands separator and no time of day in the source: still a date
          "12348;536371;04/12/2010 11:00;1;1.234,50;Spain",
          "");

  private TransactionSettings settings(String path, String... more) {
    List<String> overrides =
        new ArrayList<>(
            List.of(
                "transactions.input.path=" + path,
                "transactions.input.format=csv",
                "transactions.input.csv.delimiter=;",
                "transactions.input.csv.decimal-separator=,",
                "transactions.input.csv.grouping-separator=.",
                "transactions.input.mapping.name=online-retail",
                "transactions.input.mapping.columns.transaction_id=Invoice",
                "transactions.input.mapping.columns.unit_price=Price",
                "transactions.input.mapping.columns.transaction_time="
                    + "{ source = InvoiceDate, date-format = \"dd/MM/yyyy HH:mm\" }"));
    overrides.addAll(List.of(more));
    return new SettingsLoader()
        .loadRfm(List.of(), overrides, LocalDate.of(2026, 1, 31))
        .transactions();
  }

  @Test
  void aForeignExtractIsMappedCheckedAndReconciled() throws IOException {
    Path csv = Files.writeString(dir.resolve("retail.csv"), CSV);
    TransactionReader.Input input =
        new TransactionReader(
                SharedSpark.spark(), settings(csv.toString()), LocalDate.of(2026, 1, 31))
            .read();
    assertEquals(7, input.rows());
    Dataset<Row> flagged = new TransactionValidator("^C", null).flag(input.transactions()).cache();
    Dataset<Row> used = TransactionValidator.used(flagged);
    Dataset<Row> quarantine = TransactionValidator.quarantine(flagged);
    assertEquals(input.rows(), used.count() + quarantine.count(), "rows in = used + quarantined");

    Map<String, Row> usedById = new HashMap<>();
    used.collectAsList().forEach(r -> usedById.put(r.getAs(TransactionSchema.TRANSACTION_ID), r));
    assertEquals(
        List.of("536365", "536371", "C536370"), usedById.keySet().stream().sorted().toList());
    Row first = usedById.get("536365");
    assertEquals("12345", first.getAs(TransactionSchema.CUSTOMER_ID));
    assertEquals(15.3, first.<Double>getAs(TransactionSchema.AMOUNT), 1e-9);
    assertEquals(
        Timestamp.valueOf("2010-12-01 08:26:00"), first.getAs(TransactionSchema.TRANSACTION_TIME));
    assertEquals("United Kingdom", first.getAs(TransactionSchema.COUNTRY));
    Row cancellation = usedById.get("C536370");
    assertTrue(cancellation.<Boolean>getAs(TransactionValidator.IS_CANCELLATION));
    assertEquals(-2.55, cancellation.<Double>getAs(TransactionValidator.NET_AMOUNT), 1e-9);
    assertEquals(
        1234.5, usedById.get("536371").<Double>getAs(TransactionValidator.NET_AMOUNT), 1e-9);

    Map<String, String> reasons = new HashMap<>();
    quarantine
        .collectAsList()
        .forEach(
            r ->
                reasons.put(
                    r.getAs(TransactionSchema.TRANSACTION_ID),
                    r.getAs("reason") + ":" + r.getAs("reason_column")));
    assertEquals(
        Map.of(
            "536366", "missing_id:customer_id",
            "536367", "invalid_date:transaction_time",
            "536368", "not_a_number:quantity",
            "536369", "zero_price:unit_price"),
        reasons);
    Row bad = quarantine.filter("transaction_id = '536368'").first();
    assertTrue(
        bad.<String>getAs("source_record").contains("\"Quantity\":\"abc\""),
        "the source record is kept: " + bad.getAs("source_record"));
    assertEquals(
        Map.of(
            "missing_id:customer_id", 1L,
            "invalid_date:transaction_time", 1L,
            "not_a_number:quantity", 1L,
            "zero_price:unit_price", 1L,
            "zero_price:amount", 1L),
        TransactionValidator.reasonCounts(quarantine));
    flagged.unpersist();
  }

  @Test
  void aSourceWithoutCustomerIdsIsRejectedNamingTheMapping() throws IOException {
    Path csv =
        Files.writeString(
            dir.resolve("anonymous.csv"),
            "Invoice;InvoiceDate;Quantity;Price\n1;01/12/2010 08:26;1;2,00\n");
    InputContractException e =
        assertThrows(
            InputContractException.class,
            () ->
                new TransactionReader(
                        SharedSpark.spark(), settings(csv.toString()), LocalDate.of(2026, 1, 31))
                    .read());
    assertTrue(
        e.getMessage().startsWith("Required column customer_id not found in " + csv),
        e.getMessage());
    assertTrue(e.getMessage().contains("mapping 'online-retail'"), e.getMessage());
  }

  @Test
  void anUnknownTransactionColumnInTheMappingIsRejectedWithASuggestion() {
    var e =
        assertThrows(
            InvalidSettingsException.class,
            () ->
                settings("/nowhere", "transactions.input.mapping.columns.transaction_ids=Invoice"));
    assertTrue(
        e.getMessage()
            .startsWith(
                "transactions.input.mapping.columns.transaction_ids maps to 'transaction_ids',"
                    + " which is not a canonical transaction column: did you mean"
                    + " 'transaction_id'?"),
        e.getMessage());
  }
}
