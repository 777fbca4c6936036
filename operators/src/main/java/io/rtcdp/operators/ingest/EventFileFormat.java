package io.rtcdp.operators.ingest;

import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.event.ParserConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.MutableRecordAndPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;

/**
 * Reads {@code .jsonl} and {@code .jsonl.gz} event files line by line and parses each line in the
 * source's fetcher thread, so parsing runs beside the task thread. Each record carries its position
 * as {@code file:line} for the dead-letter output. Files are not split (gzip cannot be), and the
 * checkpointed position is the number of lines consumed, which a restore skips.
 */
public final class EventFileFormat implements BulkFormat<Parsed, FileSourceSplit> {
    private static final long serialVersionUID = 1L;

    private static final int BATCH = 512;

    private final ParserConfig parserConfig;

    public EventFileFormat(ParserConfig parserConfig) {
        this.parserConfig = parserConfig;
    }

    @Override
    public Reader<Parsed> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new LineReader(split, new EventParser(parserConfig), 0);
    }

    @Override
    public Reader<Parsed> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        long skip =
                split.getReaderPosition()
                        .map(CheckpointedPosition::getRecordsAfterOffset)
                        .orElse(0L);
        return new LineReader(split, new EventParser(parserConfig), skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<Parsed> getProducedType() {
        return RtcdpTypes.PARSED;
    }

    private static final class LineReader implements BulkFormat.Reader<Parsed> {
        private final InputStream in;
        private final EventParser parser;
        private final String name;
        private long line;
        private byte[] buf = new byte[8192];
        private boolean eof;

        LineReader(FileSourceSplit split, EventParser parser, long skipLines) throws IOException {
            FileSystem fs = split.path().getFileSystem();
            FSDataInputStream raw = fs.open(split.path());
            InputStream s = new BufferedInputStream(raw, 1 << 16);
            this.in = split.path().getName().endsWith(".gz") ? new GZIPInputStream(s, 1 << 16) : s;
            this.parser = parser;
            this.name = split.path().getName();
            for (long i = 0; i < skipLines && readLine() >= 0; i++) {
                line++;
            }
        }

        /** Reads the next line into {@link #buf} and returns its length, or -1 at end of file. */
        private int readLine() throws IOException {
            if (eof) {
                return -1;
            }
            int n = 0;
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                buf[n++] = (byte) b;
            }
            if (b < 0) {
                eof = true;
                if (n == 0) {
                    return -1;
                }
            }
            if (n > 0 && buf[n - 1] == '\r') {
                n--;
            }
            return n;
        }

        @Override
        public RecordIterator<Parsed> readBatch() throws IOException {
            Parsed[] records = new Parsed[BATCH];
            long[] positions = new long[BATCH];
            int count = 0;
            while (count < BATCH) {
                int n = readLine();
                if (n < 0) {
                    break;
                }
                line++;
                if (isBlank(buf, n)) {
                    continue;
                }
                records[count] = parser.parse(Arrays.copyOf(buf, n), name + ":" + line);
                positions[count] = line;
                count++;
            }
            if (count == 0) {
                return null;
            }
            return new Batch(records, positions, count);
        }

        private static boolean isBlank(byte[] b, int n) {
            for (int i = 0; i < n; i++) {
                if (b[i] != ' ' && b[i] != '\t') {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static final class Batch implements BulkFormat.RecordIterator<Parsed> {
        private final Parsed[] records;
        private final long[] positions;
        private final int count;
        private final MutableRecordAndPosition<Parsed> current = new MutableRecordAndPosition<>();
        private int i;

        Batch(Parsed[] records, long[] positions, int count) {
            this.records = records;
            this.positions = positions;
            this.count = count;
        }

        @Override
        public RecordAndPosition<Parsed> next() {
            if (i >= count) {
                return null;
            }
            current.set(records[i], CheckpointedPosition.NO_OFFSET, positions[i]);
            i++;
            return current;
        }

        @Override
        public void releaseBatch() {}
    }
}
