package io.rtcdp.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A local run's work directory: RocksDB's files and the checkpoints of a replay or the demo. They
 * hold the profiles' state (traits, hashed ids, features), so the directory is created readable by
 * its owner only and deleted when the run ends, unless the user asked to keep it.
 */
public final class WorkDirectory {
    private WorkDirectory() {}

    /**
     * A new directory {@code rtcdp-<name>…} in {@code parent} (the system's temporary directory
     * when null), owner-only on POSIX file systems.
     */
    public static Path create(Path parent, String name) throws IOException {
        String prefix = "rtcdp-" + name;
        return parent == null
                ? Files.createTempDirectory(prefix)
                : Files.createTempDirectory(Files.createDirectories(parent), prefix);
    }

    /**
     * Deletes the directory and everything in it; nothing when it does not exist. Files that vanish
     * or appear meanwhile (Flink discards old checkpoints asynchronously, also after the job ended)
     * make it walk again; an {@link IOException} when the directory is still there after 5 walks.
     */
    public static void delete(Path dir) throws IOException {
        for (int attempt = 0; attempt < 5 && Files.exists(dir); attempt++) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (NoSuchFileException | DirectoryNotEmptyException | UncheckedIOException e) {
                // changed under the walk: walk again
            }
        }
        if (Files.exists(dir)) {
            throw new IOException("could not delete " + dir);
        }
    }
}
