package com.creditseg.schema;

/**
 * The input does not meet the job's contract: a path that is not there, an empty input, a required
 * column absent, a mapping naming a column the source lacks. Exit code 2.
 */
public class InputContractException extends IllegalArgumentException {
  public InputContractException(String message) {
    super(message);
  }

  public InputContractException(String message, Throwable cause) {
    super(message, cause);
  }
}
