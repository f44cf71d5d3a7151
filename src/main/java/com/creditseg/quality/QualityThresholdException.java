package com.creditseg.quality;

/** More rows were quarantined than {@code quality.max-quarantined-share} allows. Exit code 3. */
public final class QualityThresholdException extends RuntimeException {
  public QualityThresholdException(String message) {
    super(message);
  }
}
