package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesFileSinkTest {
    @TempDir Path tmp;

    @Test
    void aRestoreCutsTheFileBackToItsCheckpointSoNoLineIsTornOrDoubled() throws Exception {
        Path file = tmp.resolve("dlq.jsonl");
        JsonLinesFileSink<String> sink =
                new JsonLinesFileSink<>(file, s -> "{\"v\":\"" + s + "\"}");
        StatefulSinkWriter<String, Long> w = sink.createWriter(null);
        w.write("a", null);
        w.write("b", null);
        w.flush(false);
        List<Long> state = w.snapshotState(1);
        assertThat(state).containsExactly(Files.size(file));
        // after the checkpoint: a record, and half of another when the process dies
        w.write("c", null);
        w.flush(false);
        Files.writeString(file, "{\"v\":\"d", java.nio.file.StandardOpenOption.APPEND);

        StatefulSinkWriter<String, Long> restored = sink.restoreWriter(null, state);
        restored.write("c", null);
        restored.write("d", null);
        restored.flush(true);
        restored.close();
        assertThat(Files.readAllLines(file))
                .containsExactly(
                        "{\"v\":\"a\"}", "{\"v\":\"b\"}", "{\"v\":\"c\"}", "{\"v\":\"d\"}");
        w.close();
    }

    @Test
    void aFreshStartAppendsAndAnEmptyStateCutsNothing() throws Exception {
        Path file = tmp.resolve("c.jsonl");
        Files.writeString(file, "{\"old\":1}\n");
        JsonLinesFileSink<String> sink = new JsonLinesFileSink<>(file, s -> s);
        StatefulSinkWriter<String, Long> w = sink.restoreWriter(null, List.of());
        w.write("{\"new\":1}", null);
        w.flush(true);
        w.close();
        assertThat(Files.readAllLines(file)).containsExactly("{\"old\":1}", "{\"new\":1}");
    }

    @Test
    void theFileIsItsOwnersAloneAlsoWhenItWasThereBefore() throws Exception {
        Path fresh = tmp.resolve("new/dlq.jsonl");
        Path old = tmp.resolve("old.jsonl");
        Files.writeString(old, "");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r--r--"));
        for (Path file : List.of(fresh, old)) {
            StatefulSinkWriter<String, Long> w =
                    new JsonLinesFileSink<String>(file, s -> s).createWriter(null);
            w.write("{\"phone\":\"+8613800000000\"}", null);
            w.close();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as("%s", file)
                    .isEqualTo("rw-------");
        }
    }
}
