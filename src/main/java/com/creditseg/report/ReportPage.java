package com.creditseg.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders {@link ReportData} as one HTML page: the template, style sheet and script under {@code
 * com/creditseg/report/} inlined, and the data embedded once as HTML-safe JSON in {@code <script
 * id="report-data" type="application/json">}. The page's script draws every chart from that object
 * with plotly.js, loaded from a file beside the page, and inserts text from the data with {@code
 * textContent} only, never as markup.
 */
final class ReportPage {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\w+)}}");

  private ReportPage() {}

  /**
   * @param plotlyFile where the page loads plotly.js from, relative to the page
   * @param plotlyVersion shown in the footer
   */
  static String render(ReportData data, String plotlyFile, String plotlyVersion) {
    return render(
        "report.html",
        "report.js",
        "Credit risk segments, run " + data.run().runDate(),
        data,
        data.run().warnings(),
        plotlyFile,
        plotlyVersion);
  }

  /**
   * Renders another page in the same frame: {@code template} and {@code script} are resources
   * beside this class, with the same placeholders and the same style sheet. The run's {@code
   * warnings} go at the top of the page, before any script runs.
   */
  static String render(
      String template,
      String script,
      String title,
      Object data,
      List<String> warnings,
      String plotlyFile,
      String plotlyVersion) {
    Map<String, String> values =
        Map.of(
            "title", escapeHtml(title),
            "warnings", warningsBlock(warnings),
            "style", resource("report.css"),
            "script", resource(script),
            "plotly", escapeHtml(plotlyFile),
            "plotlyVersion", escapeHtml(plotlyVersion),
            "data", HtmlSafeJson.write(data));
    // One pass: text inserted for one placeholder is never scanned for another.
    Matcher m = PLACEHOLDER.matcher(resource(template));
    StringBuilder page = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException(template + " has an unknown placeholder " + m.group());
      }
      m.appendReplacement(page, Matcher.quoteReplacement(value));
    }
    m.appendTail(page);
    return page.toString();
  }

  /** The warnings as a notice with one list item each; nothing when there are none. */
  static String warningsBlock(List<String> warnings) {
    if (warnings == null || warnings.isEmpty()) {
      return "";
    }
    StringBuilder block =
        new StringBuilder(
            "<div class=\"notice warning\" id=\"run-warnings\"><strong>Warnings</strong><ul>");
    warnings.forEach(w -> block.append("<li>").append(escapeHtml(w)).append("</li>"));
    return block.append("</ul></div>").toString();
  }

  /** Text safe in HTML element content and in quoted attribute values. */
  static String escapeHtml(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static String resource(String name) {
    try (InputStream in = ReportPage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("Resource com/creditseg/report/" + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read resource " + name, e);
    }
  }
}
