package com.creditseg.generate;

import com.creditseg.config.GenerateSettings;
import com.creditseg.schema.CustomerSchema;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;

/**
 * The pure per-row logic of {@link CustomerGenerator}: one customer in the canonical schema from
 * (seed, id) alone. Spark ships an instance to every task; it carries only the settings, because
 * the feature table and its distribution objects are static and built once per JVM.
 */
final class CustomerRowGenerator implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Probit slope of default on the latent risk; the intercept is derived from the default rate. */
  private static final double DEFAULT_SLOPE = 1.5;

  /** Keeps copula uniforms off 0 and 1, where inverse CDFs return infinities. */
  private static final double UNIFORM_GUARD = 1e-12;

  /** Out-of-range faults land this many times above the top of a column's generated range. */
  private static final double OUT_OF_RANGE_FACTOR = 10_000;

  private static final NormalDistribution STANDARD = normal(0, 1);

  private static final List<String> SCHEMA_COLUMNS = CustomerSchema.columns();
  private static final int WIDTH = SCHEMA_COLUMNS.size();
  private static final int ID = SCHEMA_COLUMNS.indexOf(CustomerSchema.CUSTOMER_ID);
  private static final int DEFAULTED = SCHEMA_COLUMNS.indexOf(CustomerSchema.DEFAULTED);
  private static final int AGE = SCHEMA_COLUMNS.indexOf("age");
  private static final int HISTORY = SCHEMA_COLUMNS.indexOf("credit_history_months");

  /**
   * Every drawn column, in schema order, which is also the order of the draws. rho is the
   * correlation of the column's latent normal with the risk z (higher z = riskier).
   */
  private static final List<Column> COLUMNS =
      List.of(
          new Numeric("age", 42, 13, 18, 90, -0.2),
          new Categorical("gender", 0, List.of("Female", "Male"), 0.5, 0.5),
          new Categorical(
              "marital_status",
              0,
              List.of("Single", "Married", "Divorced", "Widowed"),
              0.38,
              0.45,
              0.12,
              0.05),
          // Listed from most to least schooling, so riskier customers lean to the end.
          new Categorical(
              "education_level",
              0.25,
              List.of("PhD", "Master", "Bachelor", "High School"),
              0.06,
              0.19,
              0.40,
              0.35),
          new Categorical(
              "employment_status",
              0.4,
              List.of("Employed", "Self-Employed", "Unemployed"),
              0.78,
              0.14,
              0.08),
          new Numeric("annual_income", 62_000, 30_000, 8_000, 400_000, -0.45),
          new Numeric("credit_utilization_ratio", 0.35, 0.25, 0, 1.3, 0.6),
          new Numeric("payment_history", 0.94, 0.06, 0.5, 1.0, -0.7),
          new Numeric("late_payments_24m", 0.8, 2.2, 0, 24, 0.6),
          new Numeric("credit_history_months", 110, 70, 3, 480, -0.45),
          new Numeric("recent_inquiries", 1.2, 1.6, 0, 15, 0.45),
          new Numeric("number_of_credit_accounts", 4.5, 2.5, 1, 25, -0.25),
          new Numeric("loan_amount", 18_000, 14_000, 1_000, 200_000, 0.1),
          new Numeric("interest_rate", 9, 3.5, 2, 30, 0.55),
          new Categorical("loan_term", 0, List.of(12, 24, 36, 48, 60), 0.1, 0.15, 0.3, 0.2, 0.25),
          new Categorical(
              "type_of_loan",
              0,
              List.of("Personal Loan", "Auto Loan", "Mortgage", "Student Loan", "Credit Card"),
              0.3,
              0.25,
              0.2,
              0.1,
              0.15),
          new Numeric("spending_score", 50, 25, 1, 100, 0.2));

  /** Top of each column's generated range by schema position; NaN for non-numeric columns. */
  private static final double[] UPPER = new double[WIDTH];

  /** Schema positions of the columns that faults may hit: the numeric features, not the label. */
  private static final int[] NUMERIC = positions(false);

  private static final int[] DOUBLES = positions(true);

  static {
    Arrays.fill(UPPER, Double.NaN);
    COLUMNS.forEach(c -> UPPER[c.position()] = c.upper());
  }

  /** The value faults, in the order their draws are made. */
  private enum Fault {
    NULL(NUMERIC),
    NAN(DOUBLES),
    INFINITY(DOUBLES),
    NEGATIVE(NUMERIC),
    OUT_OF_RANGE(NUMERIC);

    final int[] targets;

    Fault(int[] targets) {
      this.targets = targets;
    }
  }

  private final long seed;
  private final double defaultIntercept;
  private final double[] faultRates;
  private final double duplicateIdRate;

  CustomerRowGenerator(long seed, double defaultRate, GenerateSettings.Faults faults) {
    this.seed = seed;
    // E[Phi(a + b z)] = Phi(a / sqrt(1 + b^2)) for z ~ N(0, 1), so this a hits the rate exactly.
    this.defaultIntercept =
        STANDARD.inverseCumulativeProbability(defaultRate)
            * Math.sqrt(1 + DEFAULT_SLOPE * DEFAULT_SLOPE);
    this.faultRates =
        new double[] {
          faults.nullRate(),
          faults.nanRate(),
          faults.infinityRate(),
          faults.negativeRate(),
          faults.outOfRangeRate()
        };
    this.duplicateIdRate = faults.duplicateIdRate();
  }

  /** The customer with this row id; the same (seed, id) always gives the same row. */
  Row row(long id) {
    SplittableRandom random = new SplittableRandom(mix64(seed * 0x9E3779B97F4A7C15L + id));
    Object[] values = new Object[WIDTH];
    values[ID] = customerId(id);
    double risk = random.nextGaussian();
    for (Column column : COLUMNS) {
      values[column.position()] = column.draw(risk, random);
    }
    // Nobody has a credit file from before they turned 17.
    values[HISTORY] = Math.min((Integer) values[HISTORY], ((Integer) values[AGE] - 17) * 12);
    double defaultProbability =
        STANDARD.cumulativeProbability(defaultIntercept + DEFAULT_SLOPE * risk);
    values[DEFAULTED] = random.nextDouble() < defaultProbability ? 1 : 0;
    injectFaults(id, values, random);
    return RowFactory.create(values);
  }

  /**
   * Every fault consumes the same draws whether it fires or not, so changing one rate never moves
   * another fault or the clean values. Each fault picks a column no earlier fault touched, so
   * faults in one row do not hide each other.
   */
  private void injectFaults(long id, Object[] values, SplittableRandom random) {
    boolean[] touched = new boolean[WIDTH];
    for (Fault fault : Fault.values()) {
      boolean fires = random.nextDouble() < faultRates[fault.ordinal()];
      double pick = random.nextDouble();
      boolean positive = random.nextBoolean();
      int position = untouched(fault.targets, touched, pick);
      if (fires && position >= 0) {
        values[position] = faulty(fault, values[position], UPPER[position], positive);
        touched[position] = true;
      }
    }
    boolean duplicate = random.nextDouble() < duplicateIdRate;
    if (duplicate && id > 0) {
      values[ID] = customerId(id - 1);
    }
  }

  private static Object faulty(Fault fault, Object value, double upper, boolean positive) {
    return switch (fault) {
      case NULL -> null;
      case NAN -> Double.NaN;
      case INFINITY -> positive ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
      // The -1 makes a zero negative too.
      case NEGATIVE ->
          value instanceof Integer i ? (Object) (-i - 1) : (Object) (-(Double) value - 1);
      case OUT_OF_RANGE ->
          value instanceof Integer i
              ? (Object) (int) (i + upper * OUT_OF_RANGE_FACTOR)
              : (Object) ((Double) value + upper * OUT_OF_RANGE_FACTOR);
    };
  }

  /** The target that {@code pick} in [0, 1) selects among those not yet touched, or -1. */
  private static int untouched(int[] targets, boolean[] touched, double pick) {
    int free = 0;
    for (int position : targets) {
      free += touched[position] ? 0 : 1;
    }
    int skip = (int) (pick * free);
    for (int position : targets) {
      if (!touched[position] && skip-- == 0) {
        return position;
      }
    }
    return -1;
  }

  /** "C" and the row id, zero-padded to 10 digits so ids sort in row order. */
  static String customerId(long id) {
    String digits = Long.toString(id);
    return digits.length() >= 10 ? "C" + digits : "C" + "0".repeat(10 - digits.length()) + digits;
  }

  /**
   * SplitMix64's finalizer: neighbouring row ids give unrelated generator seeds, so rows are
   * independent although the ids are consecutive.
   */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * A Gaussian-copula uniform: Phi of a normal with correlation rho to the latent risk. A column
   * independent of the risk draws its uniform directly, which skips the costly normal CDF.
   */
  private static double latentUniform(double rho, double risk, SplittableRandom random) {
    double u =
        rho == 0
            ? random.nextDouble()
            : STANDARD.cumulativeProbability(
                rho * risk + Math.sqrt(1 - rho * rho) * random.nextGaussian());
    return Math.min(1 - UNIFORM_GUARD, Math.max(UNIFORM_GUARD, u));
  }

  /** Without a RandomGenerator, so no Well generator is seeded for each distribution. */
  private static NormalDistribution normal(double mean, double sd) {
    return new NormalDistribution(
        null, mean, sd, NormalDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY);
  }

  private static int[] positions(boolean doublesOnly) {
    return IntStream.range(0, WIDTH)
        .filter(p -> p != DEFAULTED && CustomerSchema.isNumeric(SCHEMA_COLUMNS.get(p)))
        .filter(
            p ->
                !doublesOnly
                    || DataTypes.DoubleType.equals(CustomerSchema.typeOf(SCHEMA_COLUMNS.get(p))))
        .toArray();
  }

  /** One drawn column: its schema position, the top of its range and one value per row. */
  private interface Column {
    int position();

    /** The top of the generated range; NaN for text columns. */
    double upper();

    Object draw(double risk, SplittableRandom random);
  }

  /**
   * A numeric feature with a normal(mean, sd) marginal truncated to [lo, hi]; an int when the
   * canonical schema says so.
   */
  private static final class Numeric implements Column {
    private final int position;
    private final double lo;
    private final double hi;
    private final double rho;
    private final boolean integer;
    private final NormalDistribution marginal;
    private final double cdfLo;
    private final double cdfSpan;

    Numeric(String name, double mean, double sd, double lo, double hi, double rho) {
      this.position = SCHEMA_COLUMNS.indexOf(name);
      this.lo = lo;
      this.hi = hi;
      this.rho = rho;
      this.integer = DataTypes.IntegerType.equals(CustomerSchema.typeOf(name));
      this.marginal = normal(mean, sd);
      this.cdfLo = marginal.cumulativeProbability(lo);
      this.cdfSpan = marginal.cumulativeProbability(hi) - cdfLo;
    }

    @Override
    public int position() {
      return position;
    }

    @Override
    public double upper() {
      return hi;
    }

    @Override
    public Object draw(double risk, SplittableRandom random) {
      double u = latentUniform(rho, risk, random);
      double x = marginal.inverseCumulativeProbability(cdfLo + u * cdfSpan);
      // Rounding in the far tails can step just outside the range.
      double clamped = Math.min(hi, Math.max(lo, x));
      return integer ? (Object) (int) Math.round(clamped) : (Object) clamped;
    }
  }

  /**
   * A categorical feature: the copula uniform walks the cumulative weights, so a positive rho
   * pushes riskier customers towards the later values while the weights stay the marginal shares.
   */
  private static final class Categorical implements Column {
    private final int position;
    private final double rho;
    private final Object[] values;
    private final double[] cumulative;

    Categorical(String name, double rho, List<?> values, double... weights) {
      if (values.size() != weights.length) {
        throw new IllegalArgumentException(
            "Column '"
                + name
                + "': "
                + values.size()
                + " values but "
                + weights.length
                + " weights");
      }
      this.position = SCHEMA_COLUMNS.indexOf(name);
      this.rho = rho;
      this.values = values.toArray();
      this.cumulative = new double[weights.length];
      double total = Arrays.stream(weights).sum();
      double sum = 0;
      for (int i = 0; i < weights.length; i++) {
        sum += weights[i] / total;
        cumulative[i] = sum;
      }
    }

    @Override
    public int position() {
      return position;
    }

    @Override
    public double upper() {
      return Arrays.stream(values)
          .filter(Integer.class::isInstance)
          .mapToDouble(v -> (Integer) v)
          .max()
          .orElse(Double.NaN);
    }

    @Override
    public Object draw(double risk, SplittableRandom random) {
      double u = latentUniform(rho, risk, random);
      for (int i = 0; i < values.length - 1; i++) {
        if (u < cumulative[i]) {
          return values[i];
        }
      }
      return values[values.length - 1];
    }
  }
}
