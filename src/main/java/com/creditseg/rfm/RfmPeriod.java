package com.creditseg.rfm;

import com.creditseg.config.InvalidSettingsException;
import com.creditseg.config.RfmSettings;
import java.sql.Timestamp;
import java.time.LocalDate;

/**
 * The dates an {@code rfm} run is computed as of: the {@code snapshot} (the run date with {@code
 * rfm.snapshot = run-date}, else the day after the last used transaction) and the loyalty model's
 * {@code cutoff} ({@code rfm.loyalty.cutoff}, or {@code rfm.loyalty.horizon-days} before the
 * snapshot), which must come before the snapshot.
 */
public record RfmPeriod(LocalDate snapshot, LocalDate cutoff) {

  /**
   * @param lastTransaction the last used transaction's time; read only when the snapshot follows it
   * @throws InvalidSettingsException when the cutoff is not before the snapshot
   */
  public static RfmPeriod of(RfmSettings settings, LocalDate runDate, Timestamp lastTransaction) {
    LocalDate snapshot =
        settings.snapshotAtRunDate()
            ? runDate
            : lastTransaction.toLocalDateTime().toLocalDate().plusDays(1);
    RfmSettings.Loyalty loyalty = settings.loyalty();
    LocalDate cutoff =
        loyalty.cutoff() != null ? loyalty.cutoff() : snapshot.minusDays(loyalty.horizonDays());
    if (!cutoff.isBefore(snapshot)) {
      throw new InvalidSettingsException(
          "rfm.loyalty.cutoff = " + cutoff + " is not before the snapshot date " + snapshot);
    }
    return new RfmPeriod(snapshot, cutoff);
  }
}
