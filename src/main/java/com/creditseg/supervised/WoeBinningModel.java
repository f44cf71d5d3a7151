package com.creditseg.supervised;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.creditseg.schema.InputContractException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Fitted weight-of-evidence binning: every feature's bin table, and a {@code woe_<feature>} column
 * added for each feature whose information value reaches the threshold. A value the training part
 * never showed (an unseen category, or a missing value where none was missing) gets WoE 0, the
 * population's own odds. Native column expressions, no UDF: the tables are small.
 */
public final class WoeBinningModel extends Model<WoeBinningModel> {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final List<FeatureBins> tables;
  private final double minIv;
  private final double maxIv;

  public WoeBinningModel(String uid, List<FeatureBins> tables, double minIv, double maxIv) {
    this.uid = uid;
    this.tables = List.copyOf(tables);
    this.minIv = minIv;
    this.maxIv = maxIv;
  }

  @Override
  public String uid() {
    return uid;
  }

  /** Every feature's table, kept or not. */
  public List<FeatureBins> tables() {
    return tables;
  }

  /** The features with a WoE column: information value at least min-iv and at most max-iv. */
  public List<FeatureBins> kept() {
    return tables.stream().filter(t -> t.iv() >= minIv && !(t.iv() > maxIv)).toList();
  }

  /** The features dropped for an information value below min-iv. */
  public List<FeatureBins> dropped() {
    return tables.stream().filter(t -> t.iv() < minIv).toList();
  }

  /** The features dropped as suspected leaks of the label: information value above max-iv. */
  public List<FeatureBins> leaks() {
    return tables.stream().filter(t -> t.iv() > maxIv).toList();
  }

  public double minIv() {
    return minIv;
  }

  public double maxIv() {
    return maxIv;
  }

  /** The same binning with only {@code features} kept (in that order). */
  public WoeBinningModel keeping(List<String> features) {
    List<FeatureBins> kept =
        features.stream()
            .map(f -> tables.stream().filter(t -> t.feature().equals(f)).findFirst().orElseThrow())
            .toList();
    return new WoeBinningModel(uid, kept, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  }

  @Override
  public WoeBinningModel copy(ParamMap extra) {
    return copyValues(new WoeBinningModel(uid, tables, minIv, maxIv), extra);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    StructType out = schema;
    for (FeatureBins t : kept()) {
      if (!List.of(schema.fieldNames()).contains(t.feature())) {
        throw new InputContractException(
            "Cannot compute weights of evidence: missing column '"
                + t.feature()
                + "' (have: "
                + String.join(", ", schema.fieldNames())
                + ")");
      }
      out = out.add(DataTypes.createStructField(t.woeColumn(), DataTypes.DoubleType, false));
    }
    return out;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    Map<String, Column> columns = new LinkedHashMap<>();
    for (FeatureBins t : kept()) {
      columns.put(t.woeColumn(), woe(t));
    }
    return dataset.toDF().withColumns(columns);
  }

  /** The bin-to-value expression of one feature's table: its WoE, or any per-bin value. */
  static Column byBin(FeatureBins t, ToDoubleFunction<WoeBin> value) {
    Column x = t.numeric() ? col(t.feature()).cast("double") : col(t.feature());
    Column missing = t.numeric() ? x.isNull().or(isnan(x)) : x.isNull();
    double unseen = 0;
    Column out = null;
    for (WoeBin b : t.bins()) {
      Column when =
          switch (b.kind()) {
            case MISSING -> missing;
            case SPECIAL -> x.equalTo(b.special());
            case CATEGORY -> x.isin(b.categories().toArray());
            case RANGE -> null;
          };
      if (when != null) {
        out =
            out == null
                ? when(when, value.applyAsDouble(b))
                : out.when(when, value.applyAsDouble(b));
      }
    }
    if (!t.bins().stream().anyMatch(b -> b.kind() == WoeBin.Kind.MISSING)) {
      out = out == null ? when(missing, unseen) : out.when(missing, unseen);
    }
    for (WoeBin b : t.bins()) {
      if (b.kind() == WoeBin.Kind.RANGE && b.upper() != null) {
        out =
            out == null
                ? when(x.leq(b.upper()), value.applyAsDouble(b))
                : out.when(x.leq(b.upper()), value.applyAsDouble(b));
      }
    }
    double otherwise =
        t.bins().stream()
            .filter(b -> b.kind() == WoeBin.Kind.RANGE && b.upper() == null)
            .mapToDouble(value)
            .findFirst()
            .orElse(unseen);
    return out == null ? lit(otherwise) : out.otherwise(otherwise);
  }

  private static Column woe(FeatureBins t) {
    return byBin(t, WoeBin::woe);
  }
}
