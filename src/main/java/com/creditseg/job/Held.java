package com.creditseg.job;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a run persisted or started (cached samples, a CSV kept on disk, the supervised models still
 * fitting), released last first when the run ends, however it ends.
 */
final class Held implements AutoCloseable {
  private final Deque<AutoCloseable> held = new ArrayDeque<>();

  void add(AutoCloseable release) {
    held.push(release);
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    while (!held.isEmpty()) {
      try {
        held.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("Cannot release what the run held", e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
