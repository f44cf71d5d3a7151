package com.creditseg.rfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.creditseg.config.RfmSettings.NamedSegment;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * The named segments of the R × F map ({@code rfm.segments}): each covers a rectangle of R and F
 * scores, and together they cover the 25 cells once (checked when the settings load).
 */
public final class RfmSegmentMap {
  private final List<NamedSegment> segments;

  public RfmSegmentMap(List<NamedSegment> segments) {
    this.segments = List.copyOf(segments);
  }

  /** The segment's name for integer R and F score columns; null when a score is null. */
  public Column name(Column r, Column f) {
    Column name = null;
    for (NamedSegment s : segments) {
      Column in = r.between(s.rLow(), s.rHigh()).and(f.between(s.fLow(), s.fHigh()));
      name = name == null ? when(in, lit(s.name())) : name.when(in, lit(s.name()));
    }
    return name;
  }

  /** {@link #name} of the {@code r_score} and {@code f_score} columns. */
  public Column name() {
    return name(col(RfmScorer.R_SCORE), col(RfmScorer.F_SCORE));
  }

  /** The segment covering one cell, for the report's grid and for tests. */
  public String nameOf(int r, int f) {
    return segments.stream().filter(s -> s.covers(r, f)).findFirst().orElseThrow().name();
  }

  public List<String> names() {
    return segments.stream().map(NamedSegment::name).toList();
  }
}
