package com.creditseg.job;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The command line in-process, as a scheduler sees it: {@link Main#execute}, its stderr and its
 * stdout.
 */
final class CommandLine {
  private CommandLine() {}

  /** What one command line returned and printed on stderr and stdout. */
  record Outcome(int code, String stderr, String stdout) {
    String lastLine() {
      String[] lines = stderr.strip().split("\\R");
      return lines[lines.length - 1];
    }

    boolean hasStackTrace() {
      return stderr.lines().anyMatch(l -> l.startsWith("\tat "));
    }

    String describe() {
      return "exit " + code + ", stderr:\n" + stderr;
    }
  }

  static Outcome execute(List<String> args) {
    PrintStream originalErr = System.err;
    PrintStream originalOut = System.out;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args.toArray(String[]::new));
      return new Outcome(
          code, err.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(originalErr);
      System.setOut(originalOut);
    }
  }

  static Outcome execute(String... args) {
    return execute(List.of(args));
  }
}
