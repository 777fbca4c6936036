package io.rtcdp.jobs;

import io.rtcdp.udf.retail.RetailImporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Online Retail II ({@code data/} in the repository) imported once per test JVM as tenant {@code
 * retail}'s events ({@code import-retail}'s gzipped JSON lines): the tests that replay the whole
 * data set read the same file instead of importing it each (~4 s).
 */
final class RetailEvents {
    static final Path CSV = Path.of("../data/online-retail-ii.csv.gz").toAbsolutePath().normalize();

    private static Imported imported;

    private RetailEvents() {}

    /** The import's output and what it counted. */
    record Imported(Path events, RetailImporter.Stats stats) {}

    /** The imported events, imported on the first call (into the JVM's temporary directory). */
    static synchronized Imported get() {
        if (imported == null) {
            try {
                Path dir = Files.createTempDirectory("rtcdp-retail-events");
                // deleted at exit in the reverse order: the file, then its directory
                dir.toFile().deleteOnExit();
                Path events = dir.resolve("retail.jsonl.gz");
                events.toFile().deleteOnExit();
                RetailImporter.Stats stats = RetailImporter.run(CSV, events, "retail");
                imported = new Imported(events, stats);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return imported;
    }
}
