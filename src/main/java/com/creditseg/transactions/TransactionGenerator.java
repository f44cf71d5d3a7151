package com.creditseg.transactions;

import com.creditseg.config.TransactionSettings;
import com.creditseg.schema.TransactionSchema;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synthesizes the purchase histories of {@code transactions.generate.customers} customers, lazily
 * and distributed: {@code spark.range} over customer numbers, and each customer's transaction lines
 * built on the executors from a generator seeded by (seed, customer number) alone, so the same seed
 * gives the same transactions whatever the partition count, and nothing passes through the driver.
 *
 * <p>Each customer draws a latent engagement e ~ N(0, 1), arrives on a uniform day in the first 80
 * % of the window, buys as a Poisson process at {@code mean-purchases-per-year × exp(0.6 e + 0.4
 * n)} a year (n ~ N(0, 1)) and churns for good after an exponential lifetime with mean {@code
 * mean-lifetime-days × exp(0.5 e)}: engaged customers buy more often and stay longer, and whether a
 * customer comes back after a cutoff follows from that process, which is the label the loyalty
 * model is tested against. A purchase is one invoice of 1 to 4 lines (product, quantity 1–12, a
 * price around the customer's own price level); with probability {@code return-rate} part of one
 * line is returned a few days later as a cancellation line ({@code transaction_id} "C" + the
 * invoice, negative quantity). Faults ({@code fault-rate}) blank the customer id, zero the price or
 * drop the time of a line.
 *
 * <p>Columns: customer_id, transaction_id, transaction_time, quantity, unit_price, product_id,
 * channel, country.
 */
public final class TransactionGenerator {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionGenerator.class);

  public static final StructType SCHEMA =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField(
                  TransactionSchema.CUSTOMER_ID, DataTypes.StringType, true),
              DataTypes.createStructField(
                  TransactionSchema.TRANSACTION_ID, DataTypes.StringType, true),
              DataTypes.createStructField(
                  TransactionSchema.TRANSACTION_TIME, DataTypes.TimestampType, true),
              DataTypes.createStructField(TransactionSchema.QUANTITY, DataTypes.IntegerType, true),
              DataTypes.createStructField(TransactionSchema.UNIT_PRICE, DataTypes.DoubleType, true),
              DataTypes.createStructField(TransactionSchema.PRODUCT_ID, DataTypes.StringType, true),
              DataTypes.createStructField(TransactionSchema.CHANNEL, DataTypes.StringType, true),
              DataTypes.createStructField(TransactionSchema.COUNTRY, DataTypes.StringType, true)));

  private static final String[] CHANNELS = {"store", "online", "app"};
  private static final String[] COUNTRIES = {
    "United Kingdom", "Germany", "France", "Spain", "Netherlands", "Ireland", "Portugal", "Belgium"
  };

  private final SparkSession spark;
  private final TransactionSettings.Generate settings;

  public TransactionGenerator(SparkSession spark, TransactionSettings.Generate settings) {
    this.spark = spark;
    this.settings = settings;
  }

  /** Every customer's transaction lines, lazily, distributed. */
  public Dataset<Row> generate() {
    int partitions =
        settings.partitions() > 0
            ? settings.partitions()
            : spark.sparkContext().defaultParallelism();
    LOG.info(
        "Generating transactions of {} customers in {} partitions with seed {}",
        settings.customers(),
        partitions,
        settings.seed());
    Lines lines = new Lines(settings);
    return spark
        .range(0, settings.customers(), 1, partitions)
        .flatMap((FlatMapFunction<Long, Row>) lines::of, Encoders.row(SCHEMA));
  }

  /** One customer's lines; carries only the settings to the executors. */
  static final class Lines implements Serializable {
    private static final long serialVersionUID = 1L;
    private final TransactionSettings.Generate s;

    Lines(TransactionSettings.Generate settings) {
      this.s = settings;
    }

    Iterator<Row> of(Long number) {
      long n = number;
      SplittableRandom random = new SplittableRandom(mix64(s.seed() * 0x9E3779B97F4A7C15L + n));
      String customer = "T" + pad(n, 9);
      double engagement = gaussian(random);
      double arrival = random.nextDouble() * 0.8 * s.days();
      double lifetime =
          -Math.log(1 - random.nextDouble()) * s.lifetimeDays() * Math.exp(0.5 * engagement);
      double perDay =
          s.purchasesPerYear() * Math.exp(0.6 * engagement + 0.4 * gaussian(random)) / 365.0;
      double end = Math.min(s.days(), arrival + lifetime);
      double priceLevel = Math.exp(1.5 + 0.6 * gaussian(random));
      String channel = CHANNELS[random.nextInt(CHANNELS.length)];
      String country =
          COUNTRIES[
              Math.min(COUNTRIES.length - 1, (int) (-Math.log(1 - random.nextDouble()) * 1.5))];
      // Wall-clock times in the JVM's zone, as Spark reads java.sql.Timestamp.
      long start = Timestamp.valueOf(s.startDate().atStartOfDay()).getTime();
      List<Row> rows = new ArrayList<>();
      int invoice = 0;
      for (double day = arrival; day < end; day += -Math.log(1 - random.nextDouble()) / perDay) {
        String id = "I" + pad(n, 9) + "-" + invoice++;
        Timestamp time = new Timestamp(start + (long) (day * 86_400) * 1000);
        int lines = 1 + (int) Math.min(3, -Math.log(1 - random.nextDouble()) * 0.8);
        for (int l = 0; l < lines; l++) {
          int quantity = 1 + random.nextInt(12);
          double price = Math.round(priceLevel * Math.exp(0.3 * gaussian(random)) * 100) / 100.0;
          String product = "P" + pad(random.nextInt(5000), 5);
          rows.add(
              line(
                  random,
                  customer,
                  id,
                  time,
                  quantity,
                  Math.max(price, 0.01),
                  product,
                  channel,
                  country));
          if (random.nextDouble() < s.returnRate()) {
            double back = day + 1 + random.nextInt(14);
            if (back < s.days()) {
              rows.add(
                  line(
                      random,
                      customer,
                      "C" + id,
                      new Timestamp(start + (long) (back * 86_400) * 1000),
                      -(1 + random.nextInt(quantity)),
                      Math.max(price, 0.01),
                      product,
                      channel,
                      country));
            }
          }
        }
      }
      return rows.iterator();
    }

    private Row line(
        SplittableRandom random,
        String customer,
        String id,
        Timestamp time,
        int quantity,
        double price,
        String product,
        String channel,
        String country) {
      String c = customer;
      Timestamp t = time;
      double p = price;
      if (s.faultRate() > 0 && random.nextDouble() < s.faultRate()) {
        switch (random.nextInt(3)) {
          case 0 -> c = null;
          case 1 -> p = 0;
          default -> t = null;
        }
      }
      return RowFactory.create(c, id, t, quantity, p, product, channel, country);
    }
  }

  private static String pad(long n, int width) {
    String digits = Long.toString(n);
    return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
  }

  /** Box–Muller, one draw (the pair's second value is not kept, so draws stay in a fixed order). */
  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  /** SplitMix64's finalizer: neighbouring customers get unrelated generator seeds. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
