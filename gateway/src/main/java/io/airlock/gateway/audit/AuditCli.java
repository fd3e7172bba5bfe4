package io.airlock.gateway.audit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code airlock audit verify FILE|DIR...}: checks the hash chain of audit files. Needs no
 * configuration, so it runs wherever the files were shipped. The verdict goes to stdout, usage
 * and I/O errors to stderr.
 */
public final class AuditCli {
  private AuditCli() {}

  static final int INTACT = 0;
  static final int BROKEN = 1;
  static final int USAGE_ERROR = 2;

  static final String USAGE =
      """
      usage: airlock audit verify FILE|DIR...
        Checks every record's hash and the chain across files: files named
        audit-<node>-<yyyy-MM-dd>.jsonl are grouped per node and ordered by day; a directory
        stands for the audit-*.jsonl files in it.
        exit 0: intact; 1: a record was edited, deleted, reordered, inserted or cut mid-line
        (the first one is named); 2: bad usage or unreadable files
      """;

  /**
   * @param args the arguments after {@code audit}
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
      (args.isEmpty() ? err : out).print(USAGE);
      return args.isEmpty() ? USAGE_ERROR : INTACT;
    }
    if (!args.get(0).equals("verify")) {
      err.println("airlock audit: unknown command '" + args.get(0) + "'");
      err.print(USAGE);
      return USAGE_ERROR;
    }
    if (args.size() == 1) {
      err.println("airlock audit verify: no files given");
      err.print(USAGE);
      return USAGE_ERROR;
    }
    List<Path> files = new ArrayList<>();
    for (String a : args.subList(1, args.size())) {
      try {
        Path p = Path.of(a);
        if (Files.isDirectory(p)) {
          List<Path> inDir = new ArrayList<>();
          try (DirectoryStream<Path> ds = Files.newDirectoryStream(p, "audit-*.jsonl")) {
            ds.forEach(inDir::add);
          }
          if (inDir.isEmpty()) {
            err.println("airlock audit verify: " + a + ": no audit-*.jsonl files in this directory");
            return USAGE_ERROR;
          }
          inDir.sort(null);
          files.addAll(inDir);
        } else if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
          err.println("airlock audit verify: " + a + ": not a readable file");
          return USAGE_ERROR;
        } else {
          files.add(p);
        }
      } catch (InvalidPathException | IOException e) {
        err.println("airlock audit verify: " + a + ": " + e.getMessage());
        return USAGE_ERROR;
      }
    }
    AuditVerifier.Report report;
    try {
      report = AuditVerifier.verify(files);
    } catch (IOException e) {
      err.println("airlock audit verify: " + e);
      return USAGE_ERROR;
    }
    for (AuditVerifier.Chain c : report.chains()) {
      boolean brokenHere = report.broken().isPresent() && c == report.chains().get(report.chains().size() - 1);
      if (!brokenHere) {
        out.println(summary(c));
      }
    }
    if (report.broken().isPresent()) {
      out.println("BROKEN: " + report.broken().get());
      return BROKEN;
    }
    return INTACT;
  }

  static String summary(AuditVerifier.Chain c) {
    StringBuilder s = new StringBuilder("intact: ");
    s.append(c.node() != null ? "node " + c.node() : "files as given").append(", ");
    s.append(c.files().size()).append(c.files().size() == 1 ? " file" : " files");
    if (c.records() == 0) {
      return s.append(", no records").toString();
    }
    s.append(", ").append(c.records()).append(c.records() == 1 ? " record" : " records");
    s.append(", seq ").append(c.firstSeq()).append("..").append(c.lastSeq());
    s.append(", last hash ").append(c.lastHash());
    if (!c.fromGenesis()) {
      s.append(" (starts at seq ").append(c.firstSeq()).append(": earlier records were not given)");
    }
    return s.toString();
  }
}
