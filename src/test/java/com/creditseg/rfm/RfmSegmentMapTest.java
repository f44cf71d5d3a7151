package com.creditseg.rfm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.creditseg.config.InvalidSettingsException;
import com.creditseg.config.SettingsLoader;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default R × F map of reference.conf, cell by cell, and its validation. */
class RfmSegmentMapTest {

  /** Rows R = 5 (top) to 1, columns F = 1 to 5: the standard map. */
  private static final String[][] GRID = {
    {"New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"},
    {
      "Promising",
      "Potential Loyalists",
      "Potential Loyalists",
      "Loyal Customers",
      "Loyal Customers"
    },
    {"About to Sleep", "About to Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"},
    {"Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose"},
    {"Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose"},
  };

  @Test
  void theDefaultMapNamesEveryCellAsTheStandardMapDoes() {
    RfmSegmentMap map = new RfmSegmentMap(RfmCalculatorTest.defaultSegments());
    for (int r = 5; r >= 1; r--) {
      for (int f = 1; f <= 5; f++) {
        assertEquals(GRID[5 - r][f - 1], map.nameOf(r, f), "R " + r + " F " + f);
      }
    }
    assertEquals(10, map.names().size());
  }

  @Test
  void aMapThatLeavesACellUncoveredIsRejectedNamingTheCell() {
    InvalidSettingsException e =
        assertThrows(
            InvalidSettingsException.class,
            () ->
                new SettingsLoader()
                    .loadRfm(
                        List.of(),
                        List.of(
                            "rfm.segments=[{ name = Top, r = [3, 5], f = [1, 5] },"
                                + " { name = Rest, r = [1, 1], f = [1, 5] }]"),
                        LocalDate.of(2026, 1, 31)));
    assertEquals(
        "rfm.segments is not valid: the cell R=2 F=1 is covered by no segment; each of the 25"
            + " cells must be covered exactly once",
        e.getMessage());
  }

  @Test
  void overlappingSegmentsAreRejected() {
    InvalidSettingsException e =
        assertThrows(
            InvalidSettingsException.class,
            () ->
                new SettingsLoader()
                    .loadRfm(
                        List.of(),
                        List.of(
                            "rfm.segments=[{ name = All, r = [1, 5], f = [1, 5] },"
                                + " { name = Best, r = [5, 5], f = [5, 5] }]"),
                        LocalDate.of(2026, 1, 31)));
    assertEquals(
        "rfm.segments is not valid: the cell R=5 F=5 is covered by All, Best; each of the 25"
            + " cells must be covered exactly once",
        e.getMessage());
  }
}
