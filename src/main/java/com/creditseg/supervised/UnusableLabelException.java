package com.creditseg.supervised;

import com.creditseg.schema.InputContractException;

/**
 * The label cannot train or validate the supervised models (one class only in the training or
 * held-out customers). An input-contract error when the models were asked for; with
 * model.supervised.enabled = auto, the run skips them with a warning.
 */
public final class UnusableLabelException extends InputContractException {
  public UnusableLabelException(String message) {
    super(message);
  }
}
