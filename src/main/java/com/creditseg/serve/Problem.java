package com.creditseg.serve;

import com.creditseg.schema.ReasonCode;

/**
 * Why one customer cannot be scored: {@code code} is a batch reason code ({@link ReasonCode}, what
 * the quarantine would say) or one of the request's own ({@code unknown_field}, {@code
 * missing_field}, {@code wrong_type}, {@code duplicate_field}: one column sent under two names);
 * {@code message} names the field and the value.
 */
public record Problem(String code, String column, String message) {
  static final String UNKNOWN_FIELD = "unknown_field";
  static final String MISSING_FIELD = "missing_field";
  static final String WRONG_TYPE = "wrong_type";
  static final String DUPLICATE_FIELD = "duplicate_field";

  static Problem of(ReasonCode code, String column, String message) {
    return new Problem(code.code(), column, message + " (" + code.code() + ")");
  }

  /** The {@code code:column} form of the quarantine's {@code reasons}. */
  String reason() {
    return code + ":" + column;
  }
}
