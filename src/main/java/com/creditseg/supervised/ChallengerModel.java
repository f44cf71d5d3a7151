package com.creditseg.supervised;

import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A fitted tree challenger (see {@link Challengers}): it scores customers and saves itself under
 * model/challengers/&lt;name&gt; ({@link MLWritable}).
 */
public sealed interface ChallengerModel extends MLWritable
    permits MllibChallenger, XgboostChallenger {

  /**
   * {@code data} with {@code _pd}, the challenger's probability of default, added. Reads the
   * features it was fitted on, missing numbers as null or NaN.
   */
  Dataset<Row> probability(Dataset<Row> data);
}
