package io.rtcdp.operators.sink;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Appends records as JSON lines to one local file: the dead-letter and conflicts outputs of a
 * replay. Run it with parallelism 1. It flushes before every checkpoint and at the end of input;
 * after a failure the records since the last checkpoint may be written again (at-least-once).
 */
public final class JsonLinesFileSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final SerializableFunction<T, String> toJson;

    public JsonLinesFileSink(Path path, SerializableFunction<T, String> toJson) {
        this.path = path.toAbsolutePath().toString();
        this.toJson = toJson;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        Path p = Paths.get(path);
        if (p.getParent() != null) {
            Files.createDirectories(p.getParent());
        }
        BufferedWriter w =
                Files.newBufferedWriter(
                        p,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
        return new SinkWriter<>() {
            @Override
            public void write(T record, Context ctx) throws IOException {
                w.write(toJson.apply(record));
                w.write('\n');
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                w.flush();
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }
}
