package com.creditseg.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.creditseg.config.Settings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Airflow DAG in {@code submit/airflow/creditseg_dag.py} is valid Python, and the arguments it
 * gives the job are ones the job accepts: its {@code APPLICATION_ARGS}, with {@code {{ ds }}}
 * rendered, go through the job's own parser and settings loader with {@code conf/cluster.conf}
 * standing in for the file spark-submit ships with {@code --files}. Airflow itself is not needed.
 */
class AirflowDagTest {
  static final Path DAG = Path.of("submit/airflow/creditseg_dag.py");
  static final String DS = "2026-01-31";

  /** Reads the marked literals with Python's own parser and prints them as JSON. */
  static final String PYTHON_READER =
      String.join(
          "\n",
          "import ast, json, sys",
          "tree = ast.parse(open(sys.argv[1], encoding='utf-8').read(), sys.argv[1])",
          "names = {'APPLICATION_ARGS', 'SCORE_ARGS', 'METRICS_PATH'}",
          "found = {t.id: ast.literal_eval(node.value) for node in tree.body",
          "         if isinstance(node, ast.Assign) for t in node.targets",
          "         if isinstance(t, ast.Name) and t.id in names}",
          "print(json.dumps(found))");

  static String dag() throws IOException {
    return Files.readString(DAG, StandardCharsets.UTF_8);
  }

  /** A top-level {@code NAME = [ "a", "b", ... ]} of plain string literals. */
  static List<String> stringList(String source, String name) {
    Matcher block = Pattern.compile("(?ms)^" + name + " = \\[(.*?)^\\]").matcher(source);
    assertTrue(block.find(), "no top-level list " + name + " in " + DAG);
    List<String> values = new ArrayList<>();
    for (String line : block.group(1).split("\\R")) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      Matcher literal = Pattern.compile("\"([^\"\\\\]*)\"").matcher(line);
      while (literal.find()) {
        values.add(literal.group(1));
      }
    }
    return values;
  }

  /** A top-level {@code NAME = "..."}. */
  static String string(String source, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " = \"([^\"\\\\]*)\"$").matcher(source);
    assertTrue(m.find(), "no top-level string " + name + " in " + DAG);
    return m.group(1);
  }

  static String render(String template) {
    return template.replace("{{ ds }}", DS);
  }

  @Test
  void isValidPythonAndItsLiteralsReadTheSameInPython() throws Exception {
    Process python;
    try {
      python =
          new ProcessBuilder("python3", "-c", PYTHON_READER, DAG.toString())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      assumeTrue(false, "python3 is not installed: " + e.getMessage());
      return;
    }
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(python.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
    assertEquals(0, python.exitValue(), "python3 cannot parse " + DAG + ":\n" + output);

    JsonNode literals = new ObjectMapper().readTree(output);
    List<String> args = new ArrayList<>();
    literals.get("APPLICATION_ARGS").forEach(a -> args.add(a.asText()));
    assertEquals(stringList(dag(), "APPLICATION_ARGS"), args);
    List<String> scoreArgs = new ArrayList<>();
    literals.get("SCORE_ARGS").forEach(a -> scoreArgs.add(a.asText()));
    assertEquals(stringList(dag(), "SCORE_ARGS"), scoreArgs);
    assertEquals(string(dag(), "METRICS_PATH"), literals.get("METRICS_PATH").asText());
  }

  @Test
  void applicationArgsAreAcceptedByTheJob() throws Exception {
    Settings settings = settings("APPLICATION_ARGS", RunCommand.class);
    assertEquals(LocalDate.parse(DS), settings.run().date());
    assertFalse(settings.input().path().isBlank());
    assertFalse(settings.output().path().isBlank());
    assertTrue(settings.stability().failOnSignificant(), "the DAG does not gate on a shift");
    assertEquals(
        settings.output().path() + "/run_date=" + DS + "/metrics.json",
        render(string(dag(), "METRICS_PATH")),
        "METRICS_PATH in the DAG does not match output.path");
  }

  @Test
  void theScoringTaskAppliesTheModelTheRunCommitted() throws Exception {
    Settings run = settings("APPLICATION_ARGS", RunCommand.class);
    List<String> args = stringList(dag(), "SCORE_ARGS").stream().map(a -> render(a)).toList();
    Settings score = settings("SCORE_ARGS", ScoreCommand.class);
    assertEquals(
        run.output().path() + "/run_date=" + DS,
        args.get(args.indexOf("--model") + 1),
        "--model in SCORE_ARGS is not the run's directory");
    assertEquals(LocalDate.parse(DS), score.run().date());
    assertFalse(
        score.output().path().equals(run.output().path()), "scoring would overwrite the run");
    assertTrue(
        dag().contains(">> score_new_applicants"), "score_new_applicants does not follow the run");
  }

  /** The settings the job loads from the DAG's list {@code name}, as its {@code type} does. */
  private static Settings settings(String name, Class<?> type) throws IOException {
    String dag = dag();
    List<String> args = new ArrayList<>();
    List<String> configs = new ArrayList<>();
    List<String> template = stringList(dag, name);
    for (int i = 0; i < template.size(); i++) {
      String arg = render(template.get(i));
      if (i > 0 && template.get(i - 1).equals("--config")) {
        // spark-submit --files puts conf/<name> in the driver's working directory as <name>.
        configs.add(arg);
        arg = Path.of("conf").resolve(arg).toString();
      }
      args.add(arg);
    }
    assertFalse(configs.isEmpty(), "the DAG passes no --config");
    for (String config : configs) {
      assertTrue(
          Pattern.compile("(?m)^\\s*files=f?\"[^\"]*/conf/" + Pattern.quote(config) + "\",$")
              .matcher(dag)
              .find(),
          "the DAG does not ship conf/" + config + " with files=...");
    }

    CommandLine.ParseResult parsed =
        new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
    assertTrue(parsed.hasSubcommand(), "no subcommand in " + args);
    Object command = assertInstanceOf(type, parsed.subcommand().commandSpec().userObject());
    // As the command's call() loads them.
    CommonOptions common =
        command instanceof RunCommand r ? r.common : ((ScoreCommand) command).common;
    return common.settings(List.of()).requireInputAndOutput();
  }
}
