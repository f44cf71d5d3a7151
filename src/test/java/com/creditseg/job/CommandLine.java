package com.creditseg.job;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The command line in-process, as a scheduler sees it: {@link Main#execute} and its stderr. */
final class CommandLine {
  private CommandLine() {}

  /** What one command line returned and printed on stderr. */
  record Outcome(int code, String stderr) {
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
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args.toArray(String[]::new));
      return new Outcome(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  static Outcome execute(String... args) {
    return execute(List.of(args));
  }
}
