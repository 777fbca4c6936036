package io.rtcdp.operators.ingest;

import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.event.ParserConfig;
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

        /** Bytes read from the file; {@code [pos, limit)} is not consumed yet. */
        private byte[] buf = new byte[1 << 16];

        private int pos;
        private int limit;
        private boolean eof;

        /** The last line returned by {@link #nextLine()}: {@code buf[lineStart, lineStart+len)}. */
        private int lineStart;

        LineReader(FileSourceSplit split, EventParser parser, long skipLines) throws IOException {
            FileSystem fs = split.path().getFileSystem();
            FSDataInputStream raw = fs.open(split.path());
            this.in =
                    split.path().getName().endsWith(".gz")
                            ? new GZIPInputStream(raw, 1 << 16)
                            : raw;
            this.parser = parser;
            this.name = split.path().getName();
            for (long i = 0; i < skipLines && nextLine() >= 0; i++) {
                line++;
            }
        }

        /**
         * Finds the next line in the buffer (refilling it as needed) and returns its length without
         * the line break, or -1 at the end of the file.
         */
        private int nextLine() throws IOException {
            int scanFrom = pos;
            while (true) {
                for (int i = scanFrom; i < limit; i++) {
                    if (buf[i] == '\n') {
                        lineStart = pos;
                        pos = i + 1;
                        return trimCr(i - lineStart);
                    }
                }
                if (eof) {
                    if (pos == limit) {
                        return -1;
                    }
                    lineStart = pos;
                    int n = limit - pos;
                    pos = limit;
                    return trimCr(n);
                }
                scanFrom = limit - pos;
                fill();
            }
        }

        private int trimCr(int n) {
            return n > 0 && buf[lineStart + n - 1] == '\r' ? n - 1 : n;
        }

        /** Moves the unconsumed bytes to the front (growing for long lines) and reads more. */
        private void fill() throws IOException {
            int rest = limit - pos;
            if (rest == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            } else if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, rest);
            }
            pos = 0;
            limit = rest;
            int r = in.read(buf, limit, buf.length - limit);
            if (r < 0) {
                eof = true;
            } else {
                limit += r;
            }
        }

        @Override
        public RecordIterator<Parsed> readBatch() throws IOException {
            Parsed[] records = new Parsed[BATCH];
            long[] positions = new long[BATCH];
            int count = 0;
            while (count < BATCH) {
                int n = nextLine();
                if (n < 0) {
                    break;
                }
                line++;
                if (isBlank(buf, lineStart, n)) {
                    continue;
                }
                records[count] =
                        parser.parse(
                                Arrays.copyOfRange(buf, lineStart, lineStart + n),
                                name + ":" + line);
                positions[count] = line;
                count++;
            }
            if (count == 0) {
                return null;
            }
            return new Batch(records, positions, count);
        }

        private static boolean isBlank(byte[] b, int from, int n) {
            for (int i = from; i < from + n; i++) {
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
