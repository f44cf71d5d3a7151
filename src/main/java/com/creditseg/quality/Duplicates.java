package com.creditseg.quality;

import static org.apache.spark.sql.functions.*;

import com.creditseg.schema.CustomerSchema;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * The customer ids that occur on more than one row, found in two cheap passes instead of one
 * shuffle of every row: first the 64-bit hashes of the ids that occur twice (a scan of the id
 * column, a shuffle of one long per row, sorted within each partition so that repeats are
 * neighbours), then, on the few rows whose id hash is among those, the real ids with their number
 * of copies ({@code _copies}) and whether the copies differ ({@code _conflict}, by a hash of the
 * row's content). A hash collision between two different ids only sends their rows to the exact
 * second pass, which tells them apart; when no hash repeats, there is no second pass.
 *
 * <p>The sort, not a hash aggregation, finds the repeats: with (nearly) every key unique, the
 * aggregation's partial step grew a hash map of every id hash in each task, for nothing to combine,
 * and building that map was most of its CPU.
 *
 * <p>The result is small (one row per duplicated id), persisted, and broadcast to every pass that
 * flags rows when it holds at most {@value #BROADCAST_LIMIT} ids; above that the flagging passes
 * join it by shuffle. Call {@link #release()} when done.
 */
public final class Duplicates {
  static final String COPIES = "_copies";
  static final String CONFLICT = "_conflict";
  static final String COPY_NUMBER = "_copy_number";
  private static final String ROW_HASH = "_row_hash";
  private static final String ID_HASH = "_id_hash";
  static final long BROADCAST_LIMIT = 2_000_000;

  private final Dataset<Row> ids;
  private final long count;

  private Duplicates(Dataset<Row> ids, long count) {
    this.ids = ids;
    this.count = count;
  }

  /**
   * Finds the duplicated ids among {@code customers} (one Spark job, two when an id hash repeats).
   */
  public static Duplicates find(Dataset<Row> customers) {
    Column id = col(CustomerSchema.CUSTOMER_ID);
    Dataset<Row> repeatedHashes =
        customers
            .filter(id.isNotNull())
            .select(xxhash64(id).as(ID_HASH))
            .repartition(col(ID_HASH))
            .sortWithinPartitions(ID_HASH)
            .as(Encoders.LONG())
            .mapPartitions(new RepeatedValues(), Encoders.LONG())
            .toDF(ID_HASH)
            .persist(StorageLevel.MEMORY_AND_DISK());
    if (repeatedHashes.count() == 0) {
      repeatedHashes.unpersist();
      return new Duplicates(null, 0);
    }
    try {
      Dataset<Row> ids =
          withRowHash(customers)
              .filter(id.isNotNull())
              .join(broadcast(repeatedHashes), xxhash64(id).equalTo(col(ID_HASH)), "left_semi")
              .groupBy(id)
              .agg(
                  functions.count(lit(1)).as(COPIES),
                  min(ROW_HASH).notEqual(max(ROW_HASH)).as(CONFLICT))
              .filter(col(COPIES).gt(1))
              .persist(StorageLevel.MEMORY_AND_DISK());
      return new Duplicates(ids, ids.count());
    } finally {
      repeatedHashes.unpersist();
    }
  }

  /** Each value that occurs more than once in a sorted partition, once, lazily. */
  private static final class RepeatedValues implements MapPartitionsFunction<Long, Long> {
    @Override
    public Iterator<Long> call(Iterator<Long> sorted) {
      return new Iterator<>() {
        /** The first value of the run not yet read to its end; null when the input is done. */
        private Long runStart = sorted.hasNext() ? sorted.next() : null;

        private Long repeated = nextRepeated();

        /** Reads runs until one has more than one value, and returns that value (or null). */
        private Long nextRepeated() {
          while (runStart != null) {
            Long value = runStart;
            int copies = 1;
            runStart = null;
            while (sorted.hasNext()) {
              Long v = sorted.next();
              if (!v.equals(value)) {
                runStart = v;
                break;
              }
              copies++;
            }
            if (copies > 1) {
              return value;
            }
          }
          return null;
        }

        @Override
        public boolean hasNext() {
          return repeated != null;
        }

        @Override
        public Long next() {
          if (repeated == null) {
            throw new NoSuchElementException();
          }
          Long current = repeated;
          repeated = nextRepeated();
          return current;
        }
      };
    }
  }

  /** Number of ids that occur on more than one row. */
  public long count() {
    return count;
  }

  /**
   * {@code customers} with {@code _copies} and {@code _conflict} (null for unique ids) and {@code
   * _copy_number} (1 for the row kept; exact copies of a row are kept once, numbered 1..n). Rows of
   * an id whose copies differ all keep number 1: none of them can be trusted, and each is flagged.
   *
   * <p>Unique ids pass straight through (joined with the broadcast set, no shuffle); only the rows
   * of ids that occur with identical copies are deduplicated by a window, which shuffles just them.
   */
  Dataset<Row> annotate(Dataset<Row> customers) {
    if (count == 0) {
      return customers
          .withColumn(COPIES, lit(null).cast("long"))
          .withColumn(CONFLICT, lit(null).cast("boolean"))
          .withColumn(COPY_NUMBER, lit(1));
    }
    Dataset<Row> set = count <= BROADCAST_LIMIT ? broadcast(ids) : ids;
    Dataset<Row> joined = customers.join(set, new String[] {CustomerSchema.CUSTOMER_ID}, "left");
    Column exactCopies = col(COPIES).isNotNull().and(not(col(CONFLICT)));
    Dataset<Row> single = joined.filter(not(exactCopies)).withColumn(COPY_NUMBER, lit(1));
    Dataset<Row> copies =
        withRowHash(joined.filter(exactCopies))
            .withColumn(
                COPY_NUMBER,
                row_number()
                    .over(Window.partitionBy(col(CustomerSchema.CUSTOMER_ID)).orderBy(ROW_HASH)))
            .drop(ROW_HASH);
    return single.unionByName(copies);
  }

  public void release() {
    if (ids != null) {
      ids.unpersist();
    }
  }

  /** Adds a hash of the row's content: every column but the source record (how it was read). */
  private static Dataset<Row> withRowHash(Dataset<Row> customers) {
    Column[] content =
        Arrays.stream(customers.columns())
            .filter(c -> !c.equals(CustomerSchema.SOURCE_RECORD))
            .filter(c -> !c.equals(COPIES) && !c.equals(CONFLICT))
            .map(c -> col("`" + c + "`"))
            .toArray(Column[]::new);
    return customers.withColumn(ROW_HASH, xxhash64(content));
  }
}
