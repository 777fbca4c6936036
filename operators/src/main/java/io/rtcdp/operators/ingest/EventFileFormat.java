package io.rtcdp.operators.ingest;

import io.rtcdp.operators.types.RtcdpTypes;
import io.rtcdp.udf.event.DeadLetter;
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
 *
 * <p>Memory is bounded whatever the file holds: a line longer than the parser's {@link
 * ParserConfig#maxRecordBytes()} is never held whole but read past to its end in constant memory,
 * and becomes an {@code oversize} dead letter with its first bytes. Line ends are {@code \n} or
 * {@code \r\n}; a last line without a line end counts; blank lines (spaces and tabs only) are
 * skipped but counted.
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
        return new LineReader(open(split), split.path().getName(), parserConfig, 0);
    }

    @Override
    public Reader<Parsed> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        long skip =
                split.getReaderPosition()
                        .map(CheckpointedPosition::getRecordsAfterOffset)
                        .orElse(0L);
        return new LineReader(open(split), split.path().getName(), parserConfig, skip);
    }

    private static InputStream open(FileSourceSplit split) throws IOException {
        FileSystem fs = split.path().getFileSystem();
        FSDataInputStream raw = fs.open(split.path());
        return split.path().getName().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<Parsed> getProducedType() {
        return RtcdpTypes.PARSED;
    }

    /** The lines of one stream as parsed records; package-private for tests that stream lines. */
    static final class LineReader implements BulkFormat.Reader<Parsed> {
        /** {@link #nextLine()}: no more lines. */
        static final int END = -1;

        /** {@link #nextLine()}: a line too long to hold, read past; see {@link #longLineBytes}. */
        static final int TOO_LONG = -2;

        private final InputStream in;
        private final EventParser parser;
        private final String name;
        private final int maxLineBytes;
        private long line;

        /**
         * Bytes read from the stream; {@code [pos, limit)} is not consumed yet. Large enough for
         * the longest line the parser accepts with its line end, never grown.
         */
        private final byte[] buf;

        private int pos;
        private int limit;
        private boolean eof;

        /** The last line returned by {@link #nextLine()}: {@code buf[lineStart, lineStart+len)}. */
        private int lineStart;

        /** The first bytes of the last {@link #TOO_LONG} line, and its length without line end. */
        private final byte[] longLineHead = new byte[DeadLetter.PAYLOAD_HEAD_BYTES];

        private int longLineHeadLength;
        private long longLineBytes;

        LineReader(InputStream in, String name, ParserConfig config, long skipLines)
                throws IOException {
            this.in = in;
            this.parser = new EventParser(config);
            this.name = name;
            this.maxLineBytes = config.maxRecordBytes();
            // + 2: a line of the largest size, its \r\n and nothing to spare
            this.buf = new byte[Math.max(1 << 16, maxLineBytes + 2)];
            try {
                for (long i = 0; i < skipLines && nextLine() != END; i++) {
                    line++;
                }
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        /** Lines consumed so far, blank and too long ones included. */
        long linesRead() {
            return line;
        }

        /**
         * Finds the next line and returns its length without the line end, at {@link #lineStart} in
         * the buffer; or {@link #TOO_LONG} for a line longer than the parser's limit, which it
         * reads past; or {@link #END}.
         */
        int nextLine() throws IOException {
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
                        return END;
                    }
                    lineStart = pos;
                    int n = limit - pos;
                    pos = limit;
                    return trimCr(n);
                }
                if (limit - pos >= maxLineBytes + 2) {
                    // No line end in the next max + 2 bytes: the line is over the limit even
                    // without a \r, whatever follows.
                    return skipLongLine();
                }
                scanFrom = limit - pos;
                fill();
            }
        }

        private int trimCr(int n) {
            return n > 0 && buf[lineStart + n - 1] == '\r' ? n - 1 : n;
        }

        /** Keeps the head of the line at {@code pos} and reads to its end, a buffer at a time. */
        private int skipLongLine() throws IOException {
            longLineHeadLength = Math.min(limit - pos, longLineHead.length);
            System.arraycopy(buf, pos, longLineHead, 0, longLineHeadLength);
            long length = 0;
            byte last = 0;
            while (true) {
                for (int i = pos; i < limit; i++) {
                    if (buf[i] == '\n') {
                        length += i - pos;
                        if (i > pos) {
                            last = buf[i - 1];
                        }
                        pos = i + 1;
                        return tooLong(length, last);
                    }
                }
                if (limit > pos) {
                    length += limit - pos;
                    last = buf[limit - 1];
                }
                pos = limit;
                if (eof) {
                    return tooLong(length, last);
                }
                fill();
            }
        }

        private int tooLong(long length, byte last) {
            longLineBytes = last == '\r' ? length - 1 : length;
            return TOO_LONG;
        }

        /** Moves the unconsumed bytes to the front and reads more. */
        private void fill() throws IOException {
            int rest = limit - pos;
            if (pos > 0) {
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
                if (n == END) {
                    break;
                }
                line++;
                String source = name + ":" + line;
                if (n == TOO_LONG) {
                    records[count] =
                            parser.oversize(
                                    longLineHead, longLineHeadLength, longLineBytes, source);
                } else if (isBlank(buf, lineStart, n)) {
                    continue;
                } else {
                    records[count] =
                            parser.parse(Arrays.copyOfRange(buf, lineStart, lineStart + n), source);
                }
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
