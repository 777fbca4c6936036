package io.rtcdp.udf.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteArrayInputTest {

    /** Every kind of value, with random and edge values, as a DataOutputStream writes them. */
    private static byte[] written(long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        long[] longs = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x80, 0xff00ff00ff00ff00L};
        for (long l : longs) {
            out.writeLong(l);
            out.writeInt((int) l);
            out.writeShort((int) l);
            out.writeChar((int) l);
            out.writeByte((int) l);
        }
        for (int i = 0; i < 200; i++) {
            out.writeBoolean(r.nextBoolean());
            out.writeByte(r.nextInt());
            out.writeShort(r.nextInt());
            out.writeInt(r.nextInt());
            out.writeLong(r.nextLong());
            out.writeFloat(Float.intBitsToFloat(r.nextInt()));
            out.writeDouble(Double.longBitsToDouble(r.nextLong()));
            out.writeUTF("é" + r.nextInt() + "中");
        }
        out.writeFloat(Float.NaN);
        out.writeDouble(Double.NEGATIVE_INFINITY);
        out.write(new byte[] {1, 2, 3});
        return b.toByteArray();
    }

    /** Reads the values of {@link #written} back in their order, into text. */
    private static String read(DataInput in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            s.append(in.readLong()).append(' ').append(in.readInt()).append(' ');
            s.append(in.readShort()).append(' ').append((int) in.readChar()).append(' ');
            s.append(in.readByte()).append('\n');
        }
        for (int i = 0; i < 200; i++) {
            s.append(in.readBoolean()).append(' ').append(in.readUnsignedByte()).append(' ');
            s.append(in.readUnsignedShort()).append(' ').append(in.readInt()).append(' ');
            s.append(in.readLong()).append(' ');
            s.append(Float.floatToRawIntBits(in.readFloat())).append(' ');
            s.append(Double.doubleToRawLongBits(in.readDouble())).append(' ');
            s.append(in.readUTF()).append('\n');
        }
        s.append(in.readFloat()).append(' ').append(in.readDouble()).append(' ');
        byte[] tail = new byte[3];
        in.readFully(tail);
        s.append(tail[0]).append(tail[1]).append(tail[2]);
        return s.toString();
    }

    @Test
    void readsWhatADataInputStreamReads() throws IOException {
        for (long seed = 1; seed <= 20; seed++) {
            byte[] bytes = written(seed);
            String expected = read(new DataInputStream(new ByteArrayInputStream(bytes)));
            ByteArrayInput in = new ByteArrayInput(bytes);
            assertThat(read(in)).isEqualTo(expected);
            assertThat(in.available()).isZero();
        }
    }

    @Test
    void readingPastTheEndThrowsEofAndMovesNothing() throws IOException {
        ByteArrayInput in = new ByteArrayInput(new byte[] {0, 0, 0, 7, 9, 9});
        assertThat(in.readInt()).isEqualTo(7);
        assertThatThrownBy(in::readInt).isInstanceOf(EOFException.class);
        assertThatThrownBy(in::readLong).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> in.readFully(new byte[3])).isInstanceOf(EOFException.class);
        assertThat(in.available()).isEqualTo(2);
        assertThat(in.readShort()).isEqualTo((short) 0x0909);
        assertThatThrownBy(in::readByte).isInstanceOf(EOFException.class);
        assertThatThrownBy(in::readBoolean).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> in.readFully(new byte[4], 0, -1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(in.available()).isZero();
    }

    @Test
    @SuppressWarnings("deprecation") // DataInputStream.readLine, the reference
    void readsLinesAsADataInputStreamDoes() throws IOException {
        for (String text : new String[] {"", "a", "a\n", "a\r\nb\rc\n\nd", "\r\r\n\n", "é\n中\rx"}) {
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            DataInputStream reference = new DataInputStream(new ByteArrayInputStream(bytes));
            ByteArrayInput in = new ByteArrayInput(bytes);
            String expected;
            do {
                expected = reference.readLine();
                assertThat(in.readLine()).as(text).isEqualTo(expected);
            } while (expected != null);
            assertThat(in.available()).isZero();
        }
    }

    @Test
    void skipsNoFurtherThanTheEnd() throws IOException {
        ByteArrayInput in = new ByteArrayInput(new byte[] {1, 2, 3});
        assertThat(in.skipBytes(2)).isEqualTo(2);
        assertThat(in.skipBytes(5)).isEqualTo(1);
        assertThat(in.skipBytes(-1)).isZero();
        assertThat(in.available()).isZero();
    }
}
