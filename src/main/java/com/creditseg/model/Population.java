package com.creditseg.model;

import java.util.List;

/**
 * A run's population as the stability check bins it ({@code model/population.json}): the credit
 * score by score band, and each other variable (the clustering features, the scorecard's points and
 * probability of default) by its deciles, with the customers in each bin. A later run, or a {@code
 * score} run applying the model, compares its own customers with these counts (PSI) without reading
 * the training run's segments. Counted over the run's id-hash fit sample.
 *
 * @param scoreMin the score range the bands divide
 * @param variables the credit score first, then the others
 */
public record Population(int scoreMin, int scoreMax, long customers, List<Variable> variables) {
  public Population {
    variables = List.copyOf(variables);
  }

  /**
   * One variable: {@code edges} are its decile edges (a value x is in bin i when i edges are at
   * most x), null for the credit score (binned by score band); {@code bins} name the bins, the last
   * is the customers without a value; {@code customers} counts each.
   */
  public record Variable(String name, List<Double> edges, List<String> bins, List<Long> customers) {
    public Variable {
      edges = edges == null ? null : List.copyOf(edges);
      bins = List.copyOf(bins);
      customers = List.copyOf(customers);
    }
  }
}
