package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisServerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rtcdp replay} leaves no state behind: its work directory (RocksDB files, checkpoints,
 * which hold the profiles) is deleted when the run ends, unless {@code --keep-work-dir}; the
 * dead-letter file is its owner's alone; without a configured secret it warns that PII ids are
 * hashed with the public development secret.
 */
class ReplayWorkDirectoryITCase {
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir Path tmp;

    @Test
    void theWorkDirectoryIsDeletedAfterTheRunUnlessKept() throws Exception {
        Path in = events();
        Path work = tmp.resolve("work");
        Path dlq = tmp.resolve("dlq.jsonl");

        CliRun first = replay(in, work, dlq);
        assertThat(first.code()).isZero();
        // no RTCDP_DEFAULT_SECRET in the tests' environment: a replay goes on, and says so
        assertThat(first.err())
                .contains("rtcdp: warning: PII ids are hashed with the public development secret");
        assertThat(children(work)).as("left in %s", work).isEmpty();
        assertThat(Files.readAllLines(dlq)).hasSize(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dlq)))
                .isEqualTo("rw-------");

        assertThat(replay(in, work, dlq, "--keep-work-dir").code()).isZero();
        List<Path> kept = children(work);
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).getFileName().toString()).startsWith("rtcdp-replay");
        assertThat(children(kept.get(0))).isNotEmpty();
    }

    @Test
    void aFailedRunDeletesItToo() throws Exception {
        Path in = events();
        Path work = tmp.resolve("work");
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(
                rules, "tenant: acme\nversion: 1\ntags:\n  - name: x\n    when: 'nope('\n");

        int code = replay(in, work, tmp.resolve("dlq.jsonl"), "--rules", rules.toString()).code();
        assertThat(code).isNotZero();
        // the run got as far as making its work directory (in work/), then failed
        assertThat(work).isDirectory();
        assertThat(children(work)).as("left in %s", work).isEmpty();
    }

    private Path events() throws IOException {
        Path in = tmp.resolve("events.jsonl");
        Files.writeString(
                in,
                """
                {"event_id":"e1","tenant":"acme","type":"track","name":"order_completed","ts":1700000000000,"ids":{"user_id":"u1"},"props":{"amount":12.5}}
                {"event_id":"e2","tenant":"acme","type":"page","ts":1700000001000,"ids":{"user_id":"u2"}}
                not an event
                """);
        return in;
    }

    private static CliRun replay(Path in, Path work, Path dlq, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "replay",
                                "--input",
                                in.toString(),
                                "--redis",
                                REDIS.url(),
                                "--parallelism",
                                "1",
                                "--dlq",
                                dlq.toString(),
                                "--work-dir",
                                work.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static List<Path> children(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
