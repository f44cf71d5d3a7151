package com.creditseg.serve;

import com.creditseg.model.PortableModel;
import com.creditseg.model.PortableModel.Rule;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.ReasonCode;
import com.creditseg.schema.ReasonCodeColumns;
import com.creditseg.schema.Repair;
import com.creditseg.score.CreditScoreFunction;
import com.creditseg.score.CreditScorer;
import com.creditseg.score.ScoreCard;
import com.creditseg.supervised.ScorecardModel;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores one customer with a run's {@link PortableModel}, without Spark: what the batch job writes
 * for that customer in {@code segments/}, or, where the batch job would quarantine the row, the
 * reasons it would give.
 *
 * <ol>
 *   <li>read: the JSON object onto typed columns ({@link CustomerParser});
 *   <li>validate and repair, as {@code CustomerValidator.flag}: per numeric rule, a missing (null,
 *       NaN, infinite) value is imputed with the model's median or constant cast to the column's
 *       type (an int column's median 2.5 becomes 2), or rejected ({@code missing_value}, {@code
 *       not_a_number}, {@code infinite}); a value outside [min, max] is clipped to the bound cast
 *       to the column's type, or rejected ({@code out_of_range}); a required column without a rule
 *       rejects nulls; a blank id is {@code missing_id}; {@code defaulted} must be 0, 1 or null;
 *   <li>score the repaired values with {@link CreditScoreFunction}, the batch UDF's own function;
 *   <li>segment the repaired values and the score ({@link SegmentAssigner}); with {@code
 *       segment-distance} the score comes from the segmentation and the factor score is kept.
 * </ol>
 *
 * <p>Immutable and safe to share between threads.
 */
public final class CustomerScorer {
  /** What scoring one customer gave. */
  public sealed interface Outcome permits Scored, Rejected {}

  /**
   * A scored customer: the columns the batch job adds, the reason codes as a list of the codes the
   * reason-code columns hold ({@link #reasonCodeColumns}). {@code factorScore} is null unless
   * {@code score.method = segment-distance}; {@code creditScore}, {@code cluster}, {@code segment}
   * and {@code segmentRank} are null where the batch job's are (no score factor with a value);
   * {@code scorecard} is null unless the model has a supervised scorecard; {@code warnings} says
   * what was ignored.
   */
  public record Scored(
      String customerId,
      Integer creditScore,
      Integer factorScore,
      List<String> reasonCodes,
      Integer cluster,
      String segment,
      Integer segmentRank,
      List<String> repairs,
      ScorecardModel.One scorecard,
      List<String> warnings)
      implements Outcome {}

  /** A customer the batch job would quarantine (or a request it could not read), and why. */
  public record Rejected(String customerId, List<Problem> problems) implements Outcome {
    public String message() {
      return String.join("; ", problems.stream().map(Problem::message).toList());
    }

    /** Every {@code code:column}, in the order found. */
    public List<String> reasons() {
      return problems.stream().map(Problem::reason).toList();
    }
  }

  private final PortableModel model;
  private final CustomerParser parser;
  private final ScoreCard card;
  private final SegmentAssigner segments;
  private final boolean distanceScore;

  public CustomerScorer(PortableModel model) {
    this.model = model;
    this.parser = new CustomerParser(model);
    PortableModel.Score s = model.score();
    this.card = new ScoreCard(s.min(), s.max(), s.maxReasonCodes(), s.factors(), List.of());
    this.segments = new SegmentAssigner(model.segmentation());
    this.distanceScore = s.method().equals("segment-distance");
  }

  public PortableModel model() {
    return model;
  }

  /**
   * Scores one customer, given as a JSON object with canonical column names or the source's (see
   * {@link CustomerParser}).
   */
  public Outcome score(JsonNode customer) {
    CustomerParser.Parsed parsed = parser.parse(customer);
    Map<String, Object> row = new HashMap<>();
    model.columnTypes().keySet().forEach(c -> row.put(c, null));
    row.putAll(parsed.values());
    String id = (String) row.get(CustomerSchema.CUSTOMER_ID);
    List<Problem> problems = new ArrayList<>(parsed.problems());
    List<String> repairs = new ArrayList<>();
    Map<String, Object> repaired = validate(row, problems, repairs);
    if (!problems.isEmpty()) {
      return new Rejected(id, List.copyOf(problems));
    }
    CreditScoreFunction.Result factor = CreditScoreFunction.score(card, repaired::get);
    SegmentAssigner.Assignment a =
        segments.assign(
            f -> {
              Object v = f.equals(CreditScorer.SCORE) ? factor.score() : repaired.get(f);
              return v == null ? null : ((Number) v).doubleValue();
            });
    Integer score = factor.score();
    Integer factorScore = null;
    if (distanceScore) {
      factorScore = score;
      score = a == null ? null : segments.distanceScore(a, card.min(), card.max());
    }
    return new Scored(
        id,
        score,
        factorScore,
        factor.reasonCodes(),
        a == null ? null : a.cluster(),
        a == null ? null : a.segment(),
        a == null ? null : a.rank(),
        List.copyOf(repairs),
        model.scorecard() == null ? null : model.scorecard().scoreOne(repaired::get),
        parsed.ignored().isEmpty()
            ? List.of()
            : List.of(
                "ignored "
                    + String.join(", ", parsed.ignored())
                    + ": the run read them, the model does not use them"));
  }

  /** reason_code_1 … reason_code_N: the batch job's columns for {@link Scored#reasonCodes}. */
  public List<String> reasonCodeColumns() {
    return ReasonCodeColumns.names(CreditScorer.REASON_CODE, card.maxReasonCodes());
  }

  /** Every field name a customer may have (see {@link CustomerParser}). */
  public List<String> knownFields() {
    return parser.knownFields();
  }

  /**
   * The row with its repairs applied, adding to {@code problems} what the batch job would
   * quarantine it for and to {@code repairs} what it would repair (see the class comment).
   */
  private Map<String, Object> validate(
      Map<String, Object> row, List<Problem> problems, List<String> repairs) {
    String id = (String) row.get(CustomerSchema.CUSTOMER_ID);
    // An id absent or of the wrong type has its problem already.
    if (id == null
        && problems.stream().noneMatch(p -> p.column().equals(CustomerSchema.CUSTOMER_ID))) {
      problems.add(
          Problem.of(
              ReasonCode.MISSING_ID, CustomerSchema.CUSTOMER_ID, "customer_id is null or blank"));
    }
    Map<String, Object> repaired = new LinkedHashMap<>(row);
    Set<String> ruled = new HashSet<>();
    for (Rule rule : model.quality().rules()) {
      String type = parser.types().get(rule.column());
      if (!row.containsKey(rule.column()) || type == null || type.equals("string")) {
        continue;
      }
      ruled.add(rule.column());
      repaired.put(
          rule.column(), repair(rule, type, (Number) row.get(rule.column()), problems, repairs));
    }
    for (String column : model.required()) {
      if (!ruled.contains(column)
          && !column.equals(CustomerSchema.CUSTOMER_ID)
          && row.containsKey(column)
          && row.get(column) == null) {
        problems.add(Problem.of(ReasonCode.MISSING_VALUE, column, column + " is null"));
      }
    }
    Object label = row.get(CustomerSchema.DEFAULTED);
    if (label != null && !(label.equals(0) || label.equals(1))) {
      problems.add(
          Problem.of(
              ReasonCode.OUT_OF_RANGE,
              CustomerSchema.DEFAULTED,
              CustomerSchema.DEFAULTED + " = " + label + " is not 0 or 1"));
    }
    return repaired;
  }

  /** One ruled value after its rule: imputed, clipped, as it was, or a problem (then as it was). */
  private Number repair(
      Rule rule, String type, Number value, List<Problem> problems, List<String> repairs) {
    String column = rule.column();
    double x = value == null ? Double.NaN : value.doubleValue();
    boolean missing = value == null || !Double.isFinite(x);
    Double fill =
        switch (rule.missing()) {
          case "impute-median" -> model.quality().medians().get(column);
          case "impute-constant" -> rule.constant();
          default -> null;
        };
    if (missing && fill == null) {
      if (value == null) {
        problems.add(
            Problem.of(
                ReasonCode.MISSING_VALUE,
                column,
                column
                    + " is null and "
                    + (rule.missing().equals("reject")
                        ? "the model's rule rejects missing values"
                        : "the model has no median to impute it with")));
      } else {
        problems.add(
            Problem.of(
                Double.isNaN(x) ? ReasonCode.NOT_A_NUMBER : ReasonCode.INFINITE,
                column,
                column
                    + " = "
                    + x
                    + " and "
                    + (rule.missing().equals("reject")
                        ? "the model's rule rejects missing values"
                        : "the model has no median to impute it with")));
      }
      return value;
    }
    if (missing) {
      repairs.add(Repair.IMPUTED.on(column));
      return cast(fill, type);
    }
    boolean below = x < rule.min();
    if (!below && !(x > rule.max())) {
      return value;
    }
    if (rule.outOfRange().equals("reject")) {
      problems.add(
          Problem.of(
              ReasonCode.OUT_OF_RANGE,
              column,
              String.format(
                  "%s = %s is out of range [%s, %s]", column, value, rule.min(), rule.max())));
      return value;
    }
    repairs.add(Repair.CLIPPED.on(column));
    return cast(below ? rule.min() : rule.max(), type);
  }

  /** A double literal cast to the column's type, as Spark's cast does (an int truncates). */
  private static Number cast(double value, String type) {
    return type.equals("int") ? (Number) (int) value : (Number) value;
  }
}
