package com.creditseg.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.creditseg.SharedSpark;
import com.creditseg.config.SettingsLoader;
import com.creditseg.rfm.RfmCalculator;
import com.creditseg.rfm.RfmScorer;
import com.creditseg.rfm.RfmSegmentMap;
import com.creditseg.rfm.RfmSummary;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A customer who only returned goods is no R × F segment: "Returns only", outside the grid. */
@ExtendWith(SharedSpark.class)
class RfmReturnsOnlyTest {
  @Test
  void customersWithoutAPurchaseHaveASegmentOfTheirOwn() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      // customer, days since the last purchase, purchases, net spend
      rows.add(RowFactory.create("c" + i, 10.0 * i, (long) (1 + i % 5), 100.0 * (1 + i)));
    }
    rows.add(RowFactory.create("r1", 5.0, 0L, -40.0));
    rows.add(RowFactory.create("r2", 90.0, 0L, -15.0));
    Dataset<Row> rfm =
        SharedSpark.spark()
            .createDataFrame(
                rows,
                new StructType()
                    .add("customer_id", "string")
                    .add(RfmCalculator.RECENCY, "double")
                    .add(RfmCalculator.FREQUENCY, "long")
                    .add(RfmCalculator.MONETARY, "double"));
    RfmSegmentMap map =
        new RfmSegmentMap(
            new SettingsLoader()
                .loadRfm(List.of(), List.of(), LocalDate.of(2026, 1, 31))
                .rfm()
                .segments());
    Dataset<Row> scored = new RfmScorer(map).score(rfm).customers();

    Map<String, String> returnsOnly = new TreeMap<>();
    scored
        .filter("frequency = 0")
        .select("customer_id", RfmScorer.SEGMENT)
        .collectAsList()
        .forEach(r -> returnsOnly.put(r.getString(0), r.getString(1)));
    assertEquals(Map.of("r1", "Returns only", "r2", "Returns only"), returnsOnly);
    assertEquals(0, scored.filter("frequency > 0 and rfm_segment = 'Returns only'").count());

    List<RfmSummary.NamedSegment> named = RfmSummary.namedSegments(scored, map);
    RfmSummary.NamedSegment last = named.get(named.size() - 1);
    assertEquals("Returns only", last.name());
    assertEquals(2, last.customers());
    assertEquals(map.names().size() + 1, named.size());
    assertEquals(
        20, RfmSummary.grid(scored, map).stream().mapToLong(RfmSummary.GridCell::customers).sum());
  }
}
