package com.creditseg.config;

/** A setting is missing, unknown or out of range. The message names the key and the value. */
public final class InvalidSettingsException extends RuntimeException {
  public InvalidSettingsException(String message) {
    super(message);
  }

  public InvalidSettingsException(String message, Throwable cause) {
    super(message, cause);
  }
}
