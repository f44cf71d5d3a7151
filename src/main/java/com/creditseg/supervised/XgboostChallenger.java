package com.creditseg.supervised;

import static com.creditseg.supervised.TrainingPart.PD;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A challenger fitted by XGBoost: the MLlib PipelineModel that indexes its categories and the
 * booster, in XGBoost's JSON model format. Scoring reads {@code columns} (the numeric features and
 * the indexed categories, in the booster's order) as floats, a missing number as XGBoost's missing
 * value; each partition loads the booster from its bytes and scores its rows in blocks, so scoring
 * collects nothing. Saved as {@value #CATEGORIES}/ (MLlib's layout) and {@value #BOOSTER}, which
 * every XGBoost binding loads; the booster's attribute {@value #COLUMNS_ATTRIBUTE} names its
 * columns, one a line.
 *
 * @param categories indexes the categorical features (no stages when there are none)
 * @param columns the booster's input columns, in order, after {@code categories}
 * @param booster the booster in XGBoost's JSON model format
 */
record XgboostChallenger(PipelineModel categories, List<String> columns, byte[] booster)
    implements ChallengerModel {
  static final String CATEGORIES = "categories";
  static final String BOOSTER = "xgboost.json";
  static final String COLUMNS_ATTRIBUTE = "creditseg_columns";

  /** Rows scored per call into XGBoost. */
  private static final int BLOCK = 4096;

  XgboostChallenger {
    columns = List.copyOf(columns);
  }

  @Override
  public Dataset<Row> probability(Dataset<Row> data) {
    Dataset<Row> indexed = categories.transform(data);
    StructType schema = indexed.schema();
    int[] positions = columns.stream().mapToInt(schema::fieldIndex).toArray();
    StructType out = schema.add(PD, DataTypes.DoubleType, false);
    return indexed.mapPartitions(new Scorer(booster, positions), Encoders.row(out));
  }

  @Override
  public MLWriter write() {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        try {
          categories.write().save(new Path(path, CATEGORIES).toString());
          Path file = new Path(path, BOOSTER);
          FileSystem fs = file.getFileSystem(hadoopConf());
          try (OutputStream os = fs.create(file, true)) {
            os.write(booster);
          }
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot save the XGBoost challenger under " + path, e);
        }
      }
    };
  }

  /** The challenger saved under {@code path}. */
  static XgboostChallenger load(String path) throws IOException {
    Path file = new Path(path, BOOSTER);
    byte[] bytes;
    try (InputStream is = file.getFileSystem(hadoopConf()).open(file)) {
      bytes = is.readAllBytes();
    }
    String names;
    try {
      Booster b = XGBoost.loadModel(bytes);
      names = b.getAttr(COLUMNS_ATTRIBUTE);
      b.dispose();
    } catch (XGBoostError e) {
      throw new IOException("Cannot read the XGBoost model " + file, e);
    }
    return new XgboostChallenger(
        PipelineModel.load(new Path(path, CATEGORIES).toString()),
        List.of(names.split("\n")),
        bytes);
  }

  private static org.apache.hadoop.conf.Configuration hadoopConf() {
    return SparkSession.active().sparkContext().hadoopConfiguration();
  }

  /** {@code column} of {@code row} as XGBoost reads it: a float, null as NaN (missing). */
  static float value(Row row, int column) {
    Object v = row.get(column);
    return v == null ? Float.NaN : ((Number) v).floatValue();
  }

  /** Scores a partition's rows in blocks of {@value #BLOCK}, each row with its {@code _pd}. */
  private record Scorer(byte[] booster, int[] positions)
      implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> rows) throws Exception {
      Booster model = XGBoost.loadModel(booster);
      // Spark runs a task per core already.
      model.setParam("nthread", 1);
      return new Iterator<>() {
        private final List<Row> block = new ArrayList<>(BLOCK);
        private float[][] pd = new float[0][];
        private int next;
        private boolean done;

        @Override
        public boolean hasNext() {
          if (next < block.size()) {
            return true;
          }
          if (done) {
            return false;
          }
          block.clear();
          next = 0;
          while (block.size() < BLOCK && rows.hasNext()) {
            block.add(rows.next());
          }
          if (block.isEmpty()) {
            done = true;
            model.dispose();
            return false;
          }
          pd = predict(model, block, positions);
          return true;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          Row row = block.get(next);
          Object[] values = new Object[row.length() + 1];
          for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
          }
          values[row.length()] = (double) pd[next++][0];
          return RowFactory.create(values);
        }
      };
    }
  }

  /** The probability of default of each of {@code rows}, its features at {@code positions}. */
  private static float[][] predict(Booster model, List<Row> rows, int[] positions) {
    float[] x = new float[rows.size() * positions.length];
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < positions.length; c++) {
        x[r * positions.length + c] = value(rows.get(r), positions[c]);
      }
    }
    try {
      DMatrix m = new DMatrix(x, rows.size(), positions.length, Float.NaN);
      try {
        return model.predict(m);
      } finally {
        m.dispose();
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost could not score " + rows.size() + " customers", e);
    }
  }
}
