package com.creditseg.score;

import com.creditseg.config.ScoreSettings;
import com.creditseg.config.ScoreSettings.FactorInput;
import com.creditseg.config.ScoreSettings.ScoreFactor;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The score factors that apply to one input: the configured factors restricted to the columns the
 * input has. A factor none of whose columns is present is dropped and its weight spread over the
 * others (weights are relative, so that is implicit); {@link #droppedFactors()} says which.
 */
public record ScoreCard(
    int min, int max, int maxReasonCodes, List<ScoreFactor> factors, List<String> droppedFactors)
    implements Serializable {

  /** Restricts the configured factors to {@code availableColumns}. */
  public static ScoreCard forColumns(ScoreSettings settings, Collection<String> availableColumns) {
    Set<String> available = Set.copyOf(availableColumns);
    List<ScoreFactor> kept = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    for (ScoreFactor factor : settings.factors()) {
      List<FactorInput> inputs =
          factor.inputs().stream().filter(i -> available.contains(i.column())).toList();
      if (inputs.isEmpty()) {
        dropped.add(factor.name());
      } else {
        kept.add(new ScoreFactor(factor.name(), factor.weight(), inputs));
      }
    }
    if (kept.isEmpty()) {
      throw new InputContractException(
          "Cannot score customers: no score factor has its columns in the input (factors read: "
              + settings.inputColumns()
              + "; have: "
              + available.stream()
                  .filter(
                      c ->
                          !c.equals(CustomerSchema.PARSE_ERRORS)
                              && !c.equals(CustomerSchema.SOURCE_RECORD)
                              && !c.startsWith("_"))
                  .collect(Collectors.toCollection(TreeSet::new))
              + ")");
    }
    return new ScoreCard(
        settings.min(),
        settings.max(),
        settings.maxReasonCodes(),
        List.copyOf(kept),
        List.copyOf(dropped));
  }

  /** The columns the kept factors read. */
  public Set<String> inputColumns() {
    Set<String> columns = new TreeSet<>();
    factors.forEach(f -> f.inputs().forEach(i -> columns.add(i.column())));
    return columns;
  }

  /** Each kept factor's share of the total weight, by factor name in factor order. */
  public Map<String, Double> weights() {
    Map<String, Double> weights = new LinkedHashMap<>();
    double[] w = normalizedWeights();
    for (int i = 0; i < w.length; i++) {
      weights.put(factors.get(i).name(), w[i]);
    }
    return weights;
  }

  /** Each kept factor's share of the total weight, in factor order. */
  public double[] normalizedWeights() {
    double total = factors.stream().mapToDouble(ScoreFactor::weight).sum();
    return factors.stream().mapToDouble(f -> f.weight() / total).toArray();
  }
}
