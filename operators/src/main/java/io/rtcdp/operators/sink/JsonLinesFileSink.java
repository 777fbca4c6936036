package io.rtcdp.operators.sink;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Appends records as JSON lines to one local file: the dead-letter and conflicts outputs of a
 * replay. Run it with parallelism 1. It flushes before every checkpoint and at the end of input,
 * and keeps the file's length in the checkpoint: after a failure the file is cut back to that
 * length before the records since the checkpoint are written again, so the file holds each record
 * once and never a line torn by the failure. The file is its owner's alone (0600 on POSIX file
 * systems): dead letters carry what the bad records carried.
 */
public final class JsonLinesFileSink<T> implements Sink<T>, SupportsWriterState<T, Long> {
    private static final long serialVersionUID = 1L;

    private static final Set<PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rw-------");

    private final String path;
    private final SerializableFunction<T, String> toJson;

    public JsonLinesFileSink(Path path, SerializableFunction<T, String> toJson) {
        this.path = path.toAbsolutePath().toString();
        this.toJson = toJson;
    }

    @Override
    public StatefulSinkWriter<T, Long> createWriter(WriterInitContext context) throws IOException {
        return open(-1);
    }

    @Override
    public StatefulSinkWriter<T, Long> restoreWriter(
            WriterInitContext context, Collection<Long> recoveredState) throws IOException {
        long length = -1;
        for (Long l : recoveredState) {
            length = Math.max(length, l);
        }
        return open(length);
    }

    /** Opens the file for appending, first cut back to {@code length} bytes when it is not -1. */
    private StatefulSinkWriter<T, Long> open(long length) throws IOException {
        Path p = Paths.get(path);
        if (p.getParent() != null) {
            Files.createDirectories(p.getParent());
        }
        FileChannel channel;
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // dead letters hold what the records held: the owner's alone (0600), also a file
            // that was already there
            channel =
                    FileChannel.open(
                            p,
                            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.setPosixFilePermissions(p, OWNER_ONLY);
        } else {
            channel = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        if (length >= 0 && channel.size() > length) {
            channel.truncate(length);
        }
        channel.position(channel.size());
        long[] written = {channel.size()};
        BufferedWriter w =
                new BufferedWriter(
                        new OutputStreamWriter(
                                new java.io.OutputStream() {
                                    @Override
                                    public void write(int b) throws IOException {
                                        write(new byte[] {(byte) b}, 0, 1);
                                    }

                                    @Override
                                    public void write(byte[] b, int off, int len)
                                            throws IOException {
                                        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                                        while (buf.hasRemaining()) {
                                            channel.write(buf);
                                        }
                                        written[0] += len;
                                    }

                                    @Override
                                    public void close() throws IOException {
                                        channel.close();
                                    }
                                },
                                StandardCharsets.UTF_8),
                        1 << 16);
        return new StatefulSinkWriter<>() {
            @Override
            public void write(T record, Context ctx) throws IOException {
                String line = toJson.apply(record);
                if (line == null) {
                    return; // nothing to write (a trigger retraction: a file cannot forget)
                }
                w.write(line);
                w.write('\n');
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                w.flush();
            }

            @Override
            public List<Long> snapshotState(long checkpointId) throws IOException {
                // flush(false) ran before this, at the barrier
                w.flush();
                return List.of(written[0]);
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
        return LengthSerializer.INSTANCE;
    }

    /** The file length of a checkpoint: 8 bytes. */
    static final class LengthSerializer implements SimpleVersionedSerializer<Long> {
        static final LengthSerializer INSTANCE = new LengthSerializer();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Long length) {
            return ByteBuffer.allocate(8).putLong(length).array();
        }

        @Override
        public Long deserialize(int version, byte[] bytes) throws IOException {
            if (version != 1 || bytes.length != 8) {
                throw new IOException("unknown file length state, version " + version);
            }
            return ByteBuffer.wrap(bytes).getLong();
        }
    }
}
