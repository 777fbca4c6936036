package io.rtcdp.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.event.ParserConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFileFormatTest {

    /** 2023-11-15T00:00:00Z. */
    private static final long NOW = 1_700_006_400_000L;

    private static final ParserConfig CONFIG = ParserConfig.builder().clock(() -> NOW).build();

    @TempDir Path tmp;

    /** One record read, with its source and the position a checkpoint after it would keep. */
    record Read(Parsed parsed, long position) {
        String source() {
            return parsed.isValid() ? null : parsed.deadLetter().source();
        }

        String error() {
            return parsed.isValid() ? null : parsed.deadLetter().error();
        }
    }

    static String event(String id) {
        return "{\"event_id\":\""
                + id
                + "\",\"tenant\":\"acme\",\"type\":\"page\",\"ts\":1699999999000,"
                + "\"ids\":{\"cookie_id\":\"c-"
                + id
                + "\"}}";
    }

    /** An event padded to exactly {@code bytes} bytes. */
    static String eventOfSize(String id, int bytes) {
        String base = event(id);
        String padded = base.substring(0, base.length() - 1) + ",\"pad\":\"\"}";
        int missing = bytes - padded.length();
        assertThat(missing).isNotNegative();
        return padded.substring(0, padded.length() - 2) + "p".repeat(missing) + "\"}";
    }

    private static FileSourceSplit split(Path file) throws IOException {
        long size = Files.size(file);
        return new FileSourceSplit(
                "0", new org.apache.flink.core.fs.Path(file.toUri()), 0, size, 0, size);
    }

    private static List<Read> drain(BulkFormat.Reader<Parsed> reader) throws IOException {
        List<Read> out = new ArrayList<>();
        try (reader) {
            BulkFormat.RecordIterator<Parsed> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<Parsed> r;
                while ((r = batch.next()) != null) {
                    assertThat(r.getOffset()).isEqualTo(CheckpointedPosition.NO_OFFSET);
                    out.add(new Read(r.getRecord(), r.getRecordSkipCount()));
                }
                batch.releaseBatch();
            }
        }
        return out;
    }

    private static List<Read> read(ParserConfig config, Path file) throws IOException {
        return drain(new EventFileFormat(config).createReader(new Configuration(), split(file)));
    }

    private static List<Read> restore(ParserConfig config, Path file, long linesConsumed)
            throws IOException {
        FileSourceSplit split =
                split(file)
                        .updateWithCheckpointedPosition(
                                new CheckpointedPosition(
                                        CheckpointedPosition.NO_OFFSET, linesConsumed));
        return drain(new EventFileFormat(config).restoreReader(new Configuration(), split));
    }

    @Test
    void linesBlankLinesCrLfAndALastLineWithoutLineEnd() throws IOException {
        Path file = tmp.resolve("events.jsonl");
        String content =
                event("e1")
                        + "\n"
                        + "\n" // 2: blank
                        + "  \t\r\n" // 3: blank with CRLF
                        + event("e4")
                        + "\r\n"
                        + "{\"not\":\"an event\"}\n" // 5: missing fields
                        + "\r\n" // 6: blank
                        + event("e7"); // 7: no line end at the end
        Files.writeString(file, content, StandardCharsets.UTF_8);

        List<Read> reads = read(CONFIG, file);

        assertThat(reads).extracting(Read::position).containsExactly(1L, 4L, 5L, 7L);
        assertThat(reads.get(0).parsed().event().eventId()).isEqualTo("e1");
        assertThat(reads.get(1).parsed().event().eventId()).isEqualTo("e4");
        assertThat(reads.get(2).error()).isEqualTo("missing_field");
        assertThat(reads.get(2).source()).isEqualTo("events.jsonl:5");
        assertThat(reads.get(2).parsed().deadLetter().payload())
                .isEqualTo("{\"not\":\"an event\"}");
        assertThat(reads.get(3).parsed().event().eventId()).isEqualTo("e7");
    }

    @Test
    void emptyFileAndBlankFileHaveNoRecords() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.jsonl"), "");
        Path blank = Files.writeString(tmp.resolve("blank.jsonl"), "\n \n\r\n\t");
        assertThat(read(CONFIG, empty)).isEmpty();
        assertThat(read(CONFIG, blank)).isEmpty();
    }

    /**
     * Around the size limit: up to the limit a line goes to the parser, one byte more is oversize
     * (CR of a CRLF not counted), and the reader's own oversize path (a line it does not hold)
     * gives the same dead letter as the parser.
     */
    @Test
    void linesAroundTheLimit() throws IOException {
        int max = 300;
        ParserConfig config = ParserConfig.builder().clock(() -> NOW).maxRecordBytes(max).build();
        Path file = tmp.resolve("limit.jsonl");
        String content =
                eventOfSize("a", max)
                        + "\n"
                        + eventOfSize("b", max)
                        + "\r\n"
                        + eventOfSize("c", max + 1)
                        + "\n"
                        + eventOfSize("d", max + 1)
                        + "\r\n"
                        + eventOfSize("e", max + 2)
                        + "\n"
                        + eventOfSize("f", 5000)
                        + "\r\n"
                        + eventOfSize("g", max)
                        + "\n"
                        + eventOfSize("h", max + 3); // last line, no line end
        Files.writeString(file, content, StandardCharsets.UTF_8);

        List<Read> reads = read(config, file);

        assertThat(reads)
                .extracting(Read::position)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(reads.get(0).parsed().event().eventId()).isEqualTo("a");
        assertThat(reads.get(1).parsed().event().eventId()).isEqualTo("b");
        assertThat(reads.get(6).parsed().event().eventId()).isEqualTo("g");
        int[] sizes = {0, 0, max + 1, max + 1, max + 2, 5000, 0, max + 3};
        for (int i : new int[] {2, 3, 4, 5, 7}) {
            DeadLetter d = reads.get(i).parsed().deadLetter();
            String line = content.split("\r?\n")[i];
            assertThat(d)
                    .as("line %d", i + 1)
                    .isEqualTo(
                            new DeadLetter(
                                    "oversize",
                                    "record is "
                                            + sizes[i]
                                            + " bytes, more than the limit of "
                                            + max
                                            + " bytes",
                                    // the dead letter masks the id value
                                    line.replaceAll("(\"cookie_id\":)\"[^\"]*\"", "$1\"***\""),
                                    "limit.jsonl:" + (i + 1),
                                    sizes[i]));
        }
    }

    /**
     * A restore from every position a checkpoint may have kept reads exactly the records after it,
     * with the same line numbers, also when it skips oversize and blank lines.
     */
    @Test
    void restoreFromAnyCheckpointedPositionReadsTheRest() throws IOException {
        int max = 200;
        ParserConfig config = ParserConfig.builder().clock(() -> NOW).maxRecordBytes(max).build();
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            switch (i % 5) {
                // oversize, from 15 KB to 120 KB: most cross the reader's 64 KiB buffer
                case 0 -> content.append("x".repeat(i * 3000)).append("\n");
                case 1 -> content.append("\n"); // blank
                case 2 -> content.append(event("e" + i)).append("\r\n");
                default -> content.append(event("e" + i)).append("\n");
            }
        }
        content.append("y".repeat(1000)); // oversize, without line end
        Path file = Files.writeString(tmp.resolve("restore.jsonl"), content.toString());

        List<Read> all = read(config, file);
        assertThat(all).hasSize(41 - 8);
        assertThat(all.get(all.size() - 1).source()).isEqualTo("restore.jsonl:41");
        assertThat(all.get(all.size() - 1).parsed().deadLetter().payloadBytes()).isEqualTo(1000);

        List<Long> positions = new ArrayList<>(List.of(0L));
        all.forEach(r -> positions.add(r.position()));
        for (long p : positions) {
            List<Read> rest = restore(config, file, p);
            List<Read> expected = all.stream().filter(r -> r.position() > p).toList();
            assertThat(rest).as("after %d lines", p).isEqualTo(expected);
        }
        // a position past the end (the file shrank) reads nothing
        assertThat(restore(config, file, 1000)).isEmpty();
    }

    /**
     * A 300 MiB line inside a gzip file (of 300 KiB: concatenated gzip members, so nothing big is
     * ever written or held) is read past in constant memory and becomes an oversize dead letter;
     * the lines around it are read, also after a restore that skips over it.
     */
    @Test
    void hugeLineInAGzipFileIsSkippedInConstantMemory() throws IOException {
        int mib = 1 << 20;
        int members = 300;
        byte[] oneMib = new byte[mib];
        Arrays.fill(oneMib, (byte) 'x');
        byte[] member = gzip(oneMib);
        Path file = tmp.resolve("huge.jsonl.gz");
        byte[] start = "{\"big\":\"".getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(gzip((event("e1") + "\n").getBytes(StandardCharsets.UTF_8)));
            out.write(gzip(start));
            for (int i = 0; i < members; i++) {
                out.write(member);
            }
            out.write(gzip(("\"}\r\n" + event("e3") + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(Files.size(file)).isLessThan(2L * mib);
        long lineBytes = start.length + (long) members * mib + 2;

        long allocatedBefore = allocatedBytes();
        List<Read> reads = read(CONFIG, file);
        long allocated = allocatedBytes() - allocatedBefore;

        assertThat(reads).extracting(Read::position).containsExactly(1L, 2L, 3L);
        assertThat(reads.get(0).parsed().event().eventId()).isEqualTo("e1");
        assertThat(reads.get(2).parsed().event().eventId()).isEqualTo("e3");
        DeadLetter d = reads.get(1).parsed().deadLetter();
        assertThat(d.error()).isEqualTo("oversize");
        assertThat(d.source()).isEqualTo("huge.jsonl.gz:2");
        assertThat(d.payloadBytes()).isEqualTo(lineBytes);
        // the three quotes take two bytes each once escaped
        assertThat(
                        d.payload()
                                .equals(
                                        "{\"big\":\""
                                                + "x".repeat(DeadLetter.MAX_PAYLOAD_BYTES - 11)))
                .as("payload of %d chars", d.payload().length())
                .isTrue();
        assertThat(d.message())
                .isEqualTo(
                        "record is "
                                + lineBytes
                                + " bytes, more than the limit of 65536 bytes (payload truncated;"
                                + " the record has "
                                + lineBytes
                                + " bytes)");
        assertThat(d.toJson().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(DeadLetter.MAX_JSON_BYTES);
        // a reader's buffers, the inflater's window and a few records: far from the 300 MiB line
        assertThat(allocated).isLessThan(16L * mib);

        // a restore after the huge line skips it, in constant memory too
        allocatedBefore = allocatedBytes();
        assertThat(restore(CONFIG, file, 2)).isEqualTo(reads.subList(2, 3));
        assertThat(allocatedBytes() - allocatedBefore).isLessThan(16L * mib);
    }

    /** A line longer than 2^31 bytes: its length is counted exactly, in a long. */
    @Test
    void lineLongerThanTwoGibibytesIsCountedExactly() throws IOException {
        long lineBytes = (1L << 31) + 12_345;
        byte[] first = (event("e1") + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] last = ("\r\n" + event("e3")).getBytes(StandardCharsets.UTF_8);
        InputStream in = new GeneratedLines(first, lineBytes, last);
        EventFileFormat.LineReader reader =
                new EventFileFormat.LineReader(in, "stream.jsonl", CONFIG, 0);

        List<Read> reads = drain(reader);

        assertThat(reads).extracting(Read::position).containsExactly(1L, 2L, 3L);
        DeadLetter d = reads.get(1).parsed().deadLetter();
        assertThat(d.payloadBytes()).isEqualTo(lineBytes);
        assertThat(d.source()).isEqualTo("stream.jsonl:2");
        assertThat(d.payload().equals("z".repeat(DeadLetter.MAX_PAYLOAD_BYTES)))
                .as("payload of %d chars", d.payload().length())
                .isTrue();
        assertThat(reads.get(2).parsed().event().eventId()).isEqualTo("e3");
    }

    /** {@code first}, then {@code middle} bytes of 'z', then {@code last}, without a buffer. */
    private static final class GeneratedLines extends InputStream {
        private final byte[] first;
        private final long middle;
        private final byte[] last;
        private long pos;

        GeneratedLines(byte[] first, long middle, byte[] last) {
            this.first = first;
            this.middle = middle;
            this.last = last;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            long total = first.length + middle + last.length;
            if (pos >= total) {
                return -1;
            }
            int n = (int) Math.min(len, total - pos);
            for (int i = 0; i < n; ) {
                long p = pos + i;
                if (p < first.length) {
                    int k = (int) Math.min(n - i, first.length - p);
                    System.arraycopy(first, (int) p, b, off + i, k);
                    i += k;
                } else if (p < first.length + middle) {
                    int k = (int) Math.min(n - i, first.length + middle - p);
                    Arrays.fill(b, off + i, off + i + k, (byte) 'z');
                    i += k;
                } else {
                    int from = (int) (p - first.length - middle);
                    int k = Math.min(n - i, last.length - from);
                    System.arraycopy(last, from, b, off + i, k);
                    i += k;
                }
            }
            pos += n;
            return n;
        }
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
