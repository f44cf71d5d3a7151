package com.creditseg;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README is a front door of at most 300 lines and the rest of the documentation lives in pages
 * under {@code docs/} that link to each other, to sections of each other and to files of the
 * repository. A page renamed, a heading reworded or a file moved would leave a reader at a dead
 * link without anyone noticing, so every relative link and image in {@code README.md} and {@code
 * docs/**.md} must resolve: the file exists (relative to the linking file), and a {@code #fragment}
 * into a Markdown file names one of its headings by GitHub's slug. Links inside fenced code blocks
 * and inline code, and absolute URLs, are not checked.
 */
class DocsLinksTest {
  private static final Path README = Path.of("README.md");
  private static final Path DOCS = Path.of("docs");
  private static final int README_MAX_LINES = 300;

  /** {@code [text](target)} or {@code ![alt](target "title")}; group 1 is the target. */
  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?");

  private static final Pattern INLINE_CODE = Pattern.compile("`+[^`]*`+");
  private static final Pattern ABSOLUTE = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

  @Test
  void everyRelativeLinkResolves() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path file : markdownFiles()) {
      List<String> lines = prose(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher link = LINK.matcher(INLINE_CODE.matcher(lines.get(i)).replaceAll(""));
        while (link.find()) {
          String target = link.group(1);
          if (!ABSOLUTE.matcher(target).find() && !resolves(file, target)) {
            broken.add(file + ":" + (i + 1) + " -> " + target);
          }
        }
      }
    }
    assertTrue(broken.isEmpty(), "Broken links:\n" + String.join("\n", broken));
  }

  @Test
  void readmeIsAFrontDoor() throws IOException {
    int lines = Files.readAllLines(README).size();
    assertTrue(
        lines <= README_MAX_LINES,
        String.format(
            "README.md has %d lines, more than %d: move a section to a page under docs/",
            lines, README_MAX_LINES));
  }

  private static List<Path> markdownFiles() throws IOException {
    List<Path> files = new ArrayList<>(List.of(README));
    try (Stream<Path> docs = Files.walk(DOCS)) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files;
  }

  /** Whether {@code target}, linked from {@code file}, names an existing file and heading. */
  private static boolean resolves(Path file, String target) throws IOException {
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    Path linked = path.isEmpty() ? file : file.resolveSibling(path).normalize();
    if (!Files.exists(linked)) {
      return false;
    }
    if (hash < 0 || !linked.toString().endsWith(".md")) {
      return true;
    }
    return anchors(linked).contains(target.substring(hash + 1));
  }

  /** The GitHub slugs of the file's headings. */
  private static Set<String> anchors(Path markdown) throws IOException {
    return prose(markdown).stream()
        .map(HEADING::matcher)
        .filter(Matcher::matches)
        .map(heading -> slug(heading.group(1)))
        .collect(Collectors.toSet());
  }

  /** Lower case, only letters, digits, spaces, hyphens and underscores kept, spaces to hyphens. */
  private static String slug(String heading) {
    return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }

  /** The file's lines, those of fenced code blocks blanked so that line numbers stay right. */
  private static List<String> prose(Path file) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    boolean fenced = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      boolean fence = line.startsWith("```") || line.startsWith("~~~");
      if (fenced || fence) {
        lines.set(i, "");
      }
      if (fence) {
        fenced = !fenced;
      }
    }
    return lines;
  }
}
