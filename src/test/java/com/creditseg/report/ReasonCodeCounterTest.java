package com.creditseg.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.creditseg.SharedSpark;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class ReasonCodeCounterTest {
  static final List<ReportData.Segment> SEGMENTS = List.of(segment(1, 2), segment(2, 2));

  static ReportData.Segment segment(int rank, long customers) {
    return new ReportData.Segment(
        rank, "s" + rank, rank, customers, 0.5, null, null, null, null, null, null, null, "");
  }

  /**
   * Rank 1: (owed, payment) and (payment); rank 2: (history) and none. Primary counts the first
   * column, any every column, nulls never.
   */
  static final List<String> ORDER = List.of("payment", "owed", "history");

  static void assertCounts(ReportData.ReasonCodes counted) {
    assertEquals(ORDER, counted.codes());
    assertEquals(List.of(1L, 1L, 0L), counted.segments().get(0).primary());
    assertEquals(List.of(2L, 1L, 0L), counted.segments().get(0).any());
    assertEquals(List.of(0L, 0L, 1L), counted.segments().get(1).primary());
    assertEquals(List.of(0L, 0L, 1L), counted.segments().get(1).any());
  }

  @Test
  void countsTheFlatColumnsByPositionWithoutTheirNulls() {
    StructType schema = new StructType().add("segment_rank", DataTypes.IntegerType);
    for (int i = 1; i <= 3; i++) {
      schema = schema.add("reason_code_" + i, DataTypes.StringType);
    }
    Dataset<Row> customers =
        SharedSpark.spark()
            .createDataFrame(
                List.of(
                    RowFactory.create(1, "owed", "payment", null),
                    RowFactory.create(1, "payment", null, null),
                    RowFactory.create(2, "history", null, null),
                    RowFactory.create(2, null, null, null)),
                schema);
    assertCounts(ReasonCodeCounter.count(customers, SEGMENTS, ORDER));
  }

  @Test
  void countsARunWrittenBeforeTheFlatColumnsAlike() {
    StructType schema =
        new StructType()
            .add("segment_rank", DataTypes.IntegerType)
            .add("reason_codes", DataTypes.createArrayType(DataTypes.StringType, false));
    Dataset<Row> customers =
        SharedSpark.spark()
            .createDataFrame(
                List.of(
                    RowFactory.create(1, Arrays.asList("owed", "payment")),
                    RowFactory.create(1, List.of("payment")),
                    RowFactory.create(2, List.of("history")),
                    RowFactory.create(2, List.of())),
                schema);
    assertCounts(ReasonCodeCounter.count(customers, SEGMENTS, ORDER));
  }
}
