package com.creditseg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.schema.InputContractException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** CSV as spreadsheets and pandas write it: RFC 4180 quoting, line breaks in fields, encodings. */
@ExtendWith(SharedSpark.class)
class CsvDialectTest {
  @TempDir Path tmp;

  private static final String HEADER = "customer_id,annual_income,type_of_loan";

  /** customer_id -> type_of_loan, for every row the reader returns, and the row count. */
  private record Read(Map<String, String> loans, long rows, long malformed) {}

  private Read read(Path file, String... overrides) {
    CustomerReader.Input input =
        CustomerReaderTest.read(CustomerReaderTest.csvSettings(file, overrides), "customer_id");
    Map<String, String> loans = new TreeMap<>();
    long malformed = 0;
    for (Row r :
        input.customers().select("customer_id", "type_of_loan", "parse_errors").collectAsList()) {
      String previous = loans.put(r.getString(0), r.getString(1));
      assertEquals(null, previous, "customer " + r.getString(0) + " read twice");
      if (!r.getList(2).isEmpty()) {
        malformed++;
      }
    }
    input.release();
    return new Read(loans, input.rows(), malformed);
  }

  @Test
  void doubledQuotesInsideAQuotedFieldAreOneQuote() throws Exception {
    Path file =
        Files.writeString(
            tmp.resolve("quotes.csv"),
            HEADER
                + "\nc1,50000,\"Say \"\"hi\"\"\"\nc2,60000,\"Car, \"\"new\"\"\"\nc3,70000,Plain\n");
    Read read = read(file);
    assertEquals(Map.of("c1", "Say \"hi\"", "c2", "Car, \"new\"", "c3", "Plain"), read.loans());
    assertEquals(3, read.rows());
    assertEquals(0, read.malformed());

    // A file that escapes with a backslash says so.
    Path backslash =
        Files.writeString(tmp.resolve("backslash.csv"), HEADER + "\nc1,50000,\"Say \\\"hi\\\"\"\n");
    assertEquals(Map.of("c1", "Say \"hi\""), read(backslash, "input.csv.escape=\"\\\\\"").loans());
  }

  @Test
  void aLineBreakInsideAQuotedFieldIsPartOfOneRecord() throws Exception {
    Path file =
        Files.writeString(
            tmp.resolve("newline.csv"),
            HEADER + "\nc1,50000,\"Personal\nLoan\"\nc2,60000,Auto Loan\n");
    Read read = read(file);
    assertEquals(Map.of("c1", "Personal\nLoan", "c2", "Auto Loan"), read.loans());
    assertEquals(2, read.rows());
    assertEquals(0, read.malformed());
  }

  @Test
  void bytesThatAreNotTheConfiguredEncodingStopTheRunNamingFileAndLine() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes((HEADER + "\nplain,1,Auto\n").getBytes(StandardCharsets.ISO_8859_1));
    bytes.writeBytes(
        "Cé001,2,Prêt\nCü001,3,Auto\nCö001,4,Auto\n".getBytes(StandardCharsets.ISO_8859_1));
    Path file = Files.write(tmp.resolve("latin1.csv"), bytes.toByteArray());

    InputContractException e = assertThrows(InputContractException.class, () -> read(file));
    assertTrue(e.getMessage().startsWith("Input "), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString() + " is not UTF-8 text"), e.getMessage());
    assertTrue(
        e.getMessage().contains("is not UTF-8 text: line 3 holds bytes that are not UTF-8"),
        e.getMessage());
    assertTrue(e.getMessage().contains("set input.csv.encoding"), e.getMessage());

    // Read with its own encoding, the three customers are three, and the text is the text.
    Read latin1 = read(file, "input.csv.encoding=ISO-8859-1");
    assertEquals(
        Map.of("plain", "Auto", "Cé001", "Prêt", "Cü001", "Auto", "Cö001", "Auto"), latin1.loans());

    // A U+FFFD that is a character of a valid UTF-8 file is text like any other.
    Path genuine =
        Files.writeString(tmp.resolve("genuine.csv"), HEADER + "\nc1,1,Odd \uFFFD loan\n");
    assertEquals(Map.of("c1", "Odd \uFFFD loan"), read(genuine).loans());
  }

  /**
   * Property: random RFC 4180 files, written as pandas writes them (quotes only where needed, LF)
   * and as Excel does (every text quoted, CRLF, a byte-order mark), with quotes, doubled quotes,
   * commas and line breaks inside fields: every record comes back exactly once, its value
   * unchanged.
   */
  @Test
  void randomRfc4180FilesComeBackRecordForRecord() throws Exception {
    Random random = new Random(4180);
    String[] pieces = {"a", "Loan", "é", " ", ",", "\"", "\"\"", "\n", "x,y", "Prêt", "1", "'"};
    for (int round = 0; round < 6; round++) {
      boolean excel = round % 2 == 1;
      String eol = excel ? "\r\n" : "\n";
      Map<String, String> expected = new LinkedHashMap<>();
      StringBuilder text = new StringBuilder(excel ? "\uFEFF" : "");
      text.append(HEADER).append(eol);
      int rows = 50 + random.nextInt(100);
      for (int i = 0; i < rows; i++) {
        StringBuilder value = new StringBuilder("v");
        int n = 1 + random.nextInt(6);
        for (int j = 0; j < n; j++) {
          value.append(pieces[random.nextInt(pieces.length)]);
        }
        value.append("z"); // no blank at either end: the reader trims fields
        String v = value.toString();
        String id = "r" + round + "_" + i;
        expected.put(id, v);
        boolean needsQuotes = v.contains(",") || v.contains("\"") || v.contains("\n");
        String field = excel || needsQuotes ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
        String idField = excel ? "\"" + id + "\"" : id;
        // pandas writes LF; Excel CRLF; a file edited by both has some of each.
        String lineEnd = random.nextInt(10) == 0 ? (excel ? "\n" : "\r\n") : eol;
        text.append(idField).append(',').append(1000 + i).append(',').append(field);
        text.append(lineEnd);
      }
      Path file = Files.writeString(tmp.resolve("random" + round + ".csv"), text);
      Read read = read(file);
      assertEquals(rows, read.rows(), "records in round " + round);
      assertEquals(0, read.malformed(), "malformed records in round " + round);
      assertEquals(new TreeMap<>(expected), read.loans(), "values in round " + round);
    }
  }

  @Test
  void aStrayQuoteCostsItsOwnLineNotTheRecordsAfterIt() throws Exception {
    StringBuilder text = new StringBuilder(HEADER + "\n");
    for (int i = 0; i < 20; i++) {
      // Line 5 opens a quoted field that never closes: a multi-line parse would read on to the
      // next quote, at the end of the file, taking every record in between with it.
      text.append("c").append(i).append(i == 5 ? ",\"5000," : ",5000,").append("Auto\n");
    }
    text.append("c20,5000,\"Car\"\n");
    Path file = Files.writeString(tmp.resolve("stray.csv"), text);
    CustomerReader.Input input =
        CustomerReaderTest.read(CustomerReaderTest.csvSettings(file), "customer_id");
    assertEquals(21, input.rows());
    assertEquals(1, input.customers().filter("size(parse_errors) > 0").count());
    assertEquals(
        20,
        input
            .customers()
            .filter("size(parse_errors) = 0")
            .select("customer_id")
            .distinct()
            .count());
    assertEquals(1, input.warnings().size(), input.warnings().toString());
    assertTrue(
        input.warnings().get(0).contains("a quoted field opens and does not close"),
        input.warnings().get(0));
    input.release();
  }

  @Test
  void withoutMultiLineAQuotedLineBreakIsMalformedNotSilentlyMisread() throws Exception {
    Path file =
        Files.writeString(
            tmp.resolve("split.csv"), HEADER + "\nc1,50000,\"Personal\nLoan\"\nc2,60000,Auto\n");
    Read read = read(file, "input.csv.multi-line=false");
    assertEquals("Auto", read.loans().get("c2"));
    assertTrue(read.malformed() >= 1, "the split record is flagged");
  }
}
