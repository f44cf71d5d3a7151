package com.creditseg.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * plotly.js from the {@code org.webjars.npm:plotly.js-dist} WebJar on the classpath, copied next to
 * the page so the report opens from the file system with no network. The version is read from the
 * WebJar's own {@code pom.properties}, so upgrading the dependency is the only change needed.
 */
final class PlotlyBundle {
  /** The file name the page loads plotly.js from, beside {@code index.html}. */
  static final String FILE = "plotly.js";

  private static final String POM_PROPERTIES =
      "META-INF/maven/org.webjars.npm/plotly.js-dist/pom.properties";

  private final String version;

  private PlotlyBundle(String version) {
    this.version = version;
  }

  static PlotlyBundle fromClasspath() {
    Properties pom = new Properties();
    try (InputStream in = open(POM_PROPERTIES)) {
      pom.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + POM_PROPERTIES, e);
    }
    String version = pom.getProperty("version");
    if (version == null || version.isBlank()) {
      throw new IllegalStateException(POM_PROPERTIES + " names no version");
    }
    return new PlotlyBundle(version);
  }

  String version() {
    return version;
  }

  /** Copies plotly.js to {@code directory}/{@value #FILE}, replacing any older copy. */
  void copyTo(FileSystem fs, Path directory) {
    Path target = new Path(directory, FILE);
    try (InputStream in = open(resource());
        OutputStream out = fs.create(target, true)) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + target, e);
    }
  }

  private String resource() {
    return "META-INF/resources/webjars/plotly.js-dist/" + version + "/plotly.js";
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = PlotlyBundle.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException(
          resource
              + " is not on the classpath: the report needs the WebJar"
              + " org.webjars.npm:plotly.js-dist");
    }
    return in;
  }
}
