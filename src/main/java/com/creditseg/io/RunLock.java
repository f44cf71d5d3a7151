package com.creditseg.io;

import com.creditseg.schema.InputContractException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a date at a time under an output path: {@code <output>/_locks/run_date=<date>}, a file
 * created atomically (create-new) that names the host, the process and when it started. A second
 * run of the same date fails at once with exit code 2 instead of deleting the first's staging
 * directory under it. A lock whose process is gone (on this host) or that is older than
 * run.lock-timeout is stale: taken over with a warning. Runs of different dates never meet here.
 */
final class RunLock {
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);

  private final FileSystem fs;
  private final Path file;

  private RunLock(FileSystem fs, Path file) {
    this.fs = fs;
    this.file = file;
  }

  /** Takes the lock of {@code name} (run_date=…) under {@code root}, or fails naming its holder. */
  static RunLock take(FileSystem fs, Path root, String name, Duration timeout) throws IOException {
    Path file = new Path(new Path(root, "_locks"), name);
    fs.mkdirs(file.getParent());
    Map<String, Object> holder = new LinkedHashMap<>();
    holder.put("host", host());
    holder.put("pid", ProcessHandle.current().pid());
    holder.put("startedAt", Instant.now().toString());
    byte[] content = RunOutput.JSON.writeValueAsBytes(holder);
    if (create(fs, file, content)) {
      return new RunLock(fs, file);
    }
    String stale = staleness(fs, file, timeout);
    if (stale == null) {
      throw new InputContractException(
          "another run of this date is in progress ("
              + describe(fs, file)
              + "); wait for it, or if it is gone delete "
              + fs.makeQualified(file));
    }
    LOG.warn("Taking over the lock {} of a run that {}", fs.makeQualified(file), stale);
    fs.delete(file, false);
    if (!create(fs, file, content)) {
      throw new InputContractException(
          "another run of this date took the lock " + fs.makeQualified(file) + " first");
    }
    return new RunLock(fs, file);
  }

  /** Gives the lock up; its directory goes when no other date holds one. */
  void release() {
    try {
      fs.delete(file, false);
      Path dir = file.getParent();
      if (fs.exists(dir) && fs.listStatus(dir).length == 0) {
        fs.delete(dir, false);
      }
    } catch (IOException e) {
      LOG.warn("Cannot remove the run lock {}: {}", file, e.toString());
    }
  }

  /**
   * Creates the file only if it does not exist, atomically: on a local disk with the JDK's
   * create-new, elsewhere with the file system's create without overwrite (atomic on HDFS; on an
   * object store, as atomic as the store's conditional put).
   */
  private static boolean create(FileSystem fs, Path file, byte[] content) throws IOException {
    if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
      File local = new File(fs.makeQualified(file).toUri());
      try {
        Files.write(local.toPath(), content, StandardOpenOption.CREATE_NEW);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream out = fs.create(file, false)) {
      out.write(content);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  /** Why the lock is stale (its process gone, or too old), or null while its run may be alive. */
  private static String staleness(FileSystem fs, Path file, Duration timeout) throws IOException {
    JsonNode holder = read(fs, file);
    long age = System.currentTimeMillis() - fs.getFileStatus(file).getModificationTime();
    if (age > timeout.toMillis()) {
      return "started "
          + Duration.ofMillis(age).toMinutes()
          + " minutes ago, longer than"
          + " run.lock-timeout = "
          + timeout;
    }
    if (holder != null && host().equals(holder.path("host").asText())) {
      long pid = holder.path("pid").asLong(-1);
      if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return null;
      }
      return "is gone (process " + pid + " on this host has ended)";
    }
    return null;
  }

  private static String describe(FileSystem fs, Path file) throws IOException {
    JsonNode holder = read(fs, file);
    if (holder == null) {
      return "lock " + fs.makeQualified(file);
    }
    return "host "
        + holder.path("host").asText("?")
        + ", process "
        + holder.path("pid").asText("?")
        + ", started "
        + holder.path("startedAt").asText("?");
  }

  private static JsonNode read(FileSystem fs, Path file) {
    try (InputStream in = fs.open(file)) {
      return RunOutput.JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
