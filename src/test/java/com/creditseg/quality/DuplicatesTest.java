package com.creditseg.quality;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.creditseg.SharedSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The repeated ids found by the sorted first pass, over several partitions: runs of one to four
 * copies side by side (the run boundaries the pass must get right), nulls, and no repeats at all.
 */
@ExtendWith(SharedSpark.class)
class DuplicatesTest {
  private static final StructType SCHEMA =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField("customer_id", DataTypes.StringType, true),
              DataTypes.createStructField("annual_income", DataTypes.DoubleType, true)));

  private static Dataset<Row> customers(List<Row> rows) {
    return SharedSpark.spark().createDataFrame(rows, SCHEMA).repartition(3);
  }

  @Test
  void findsEveryRepeatedIdWithItsCopiesAndConflicts() {
    List<Row> rows = new ArrayList<>();
    Map<String, Long> expectedCopies = new TreeMap<>();
    for (int i = 0; i < 400; i++) {
      int copies = 1 + i % 4;
      String id = "C" + i;
      for (int c = 0; c < copies; c++) {
        // Every eighth id's copies differ in income: a conflict rather than exact copies.
        double income = i % 8 == 1 ? 1000.0 + c : 1000.0;
        rows.add(RowFactory.create(id, income));
      }
      if (copies > 1) {
        expectedCopies.put(id, (long) copies);
      }
    }
    rows.add(RowFactory.create(null, 1.0));
    rows.add(RowFactory.create(null, 1.0));

    Duplicates duplicates = Duplicates.find(customers(rows));
    try {
      assertEquals(300, duplicates.count());
      Dataset<Row> annotated = duplicates.annotate(customers(rows));
      Map<String, Long> copies = new TreeMap<>();
      long conflicting = 0;
      for (Row r :
          annotated
              .filter(col(Duplicates.COPIES).isNotNull())
              .select("customer_id", Duplicates.COPIES, Duplicates.CONFLICT)
              .distinct()
              .collectAsList()) {
        copies.put(r.getString(0), r.getLong(1));
        conflicting += r.getBoolean(2) ? 1 : 0;
      }
      assertEquals(expectedCopies, copies);
      // i % 8 == 1 has 2 copies (1 + 1 % 4): 50 ids whose copies differ.
      assertEquals(50, conflicting);
      // Exact copies are kept once; conflicting copies all stay (each is flagged later).
      assertEquals(
          400 - 50 + 50 * 2 + 2, annotated.filter(col(Duplicates.COPY_NUMBER).equalTo(1)).count());
    } finally {
      duplicates.release();
    }
  }

  @Test
  void findsNothingWhenEveryIdIsUnique() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(RowFactory.create("C" + i, 1.0));
    }
    rows.add(RowFactory.create(null, 1.0));
    rows.add(RowFactory.create(null, 1.0));
    Duplicates duplicates = Duplicates.find(customers(rows));
    assertEquals(0, duplicates.count());
    assertEquals(
        502,
        duplicates
            .annotate(customers(rows))
            .filter(col(Duplicates.COPY_NUMBER).equalTo(1))
            .count());
    duplicates.release();
  }
}
