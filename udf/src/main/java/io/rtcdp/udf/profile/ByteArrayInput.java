package io.rtcdp.udf.profile;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * A {@link DataInput} over a byte array, without locks: it reads what a {@code DataOutputStream}
 * wrote, as {@code new DataInputStream(new ByteArrayInputStream(bytes))} does, but each read is a
 * few array accesses, where that pair takes a synchronized {@code ByteArrayInputStream.read()} per
 * byte (four per int or float). For state the job decodes on its hot paths: a profile's pending
 * learning snapshots, decoded on every update that labels or takes one, were ~5 % of the decision
 * stage's thread that way. Reading past the end throws {@link EOFException}, as the stream does.
 */
public final class ByteArrayInput implements DataInput {
    private final byte[] bytes;
    private int pos;

    public ByteArrayInput(byte[] bytes) {
        this.bytes = bytes;
    }

    /** How many bytes are left to read. */
    public int available() {
        return bytes.length - pos;
    }

    private int next(int n) throws EOFException {
        if (n < 0) {
            throw new IndexOutOfBoundsException("negative length " + n);
        }
        if (n > bytes.length - pos) {
            throw new EOFException("needs " + n + " more bytes at " + pos + " of " + bytes.length);
        }
        int at = pos;
        pos += n;
        return at;
    }

    @Override
    public void readFully(byte[] b) throws IOException {
        readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
        System.arraycopy(bytes, next(len), b, off, len);
    }

    @Override
    public int skipBytes(int n) {
        int skipped = Math.max(0, Math.min(n, bytes.length - pos));
        pos += skipped;
        return skipped;
    }

    @Override
    public boolean readBoolean() throws IOException {
        return bytes[next(1)] != 0;
    }

    @Override
    public byte readByte() throws IOException {
        return bytes[next(1)];
    }

    @Override
    public int readUnsignedByte() throws IOException {
        return bytes[next(1)] & 0xff;
    }

    @Override
    public short readShort() throws IOException {
        int at = next(2);
        return (short) (((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff));
    }

    @Override
    public int readUnsignedShort() throws IOException {
        return readShort() & 0xffff;
    }

    @Override
    public char readChar() throws IOException {
        return (char) readShort();
    }

    @Override
    public int readInt() throws IOException {
        int at = next(4);
        return ((bytes[at] & 0xff) << 24)
                | ((bytes[at + 1] & 0xff) << 16)
                | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
    }

    @Override
    public long readLong() throws IOException {
        int at = next(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[at + i] & 0xff);
        }
        return v;
    }

    @Override
    public float readFloat() throws IOException {
        return Float.intBitsToFloat(readInt());
    }

    @Override
    public double readDouble() throws IOException {
        return Double.longBitsToDouble(readLong());
    }

    /**
     * As {@link DataInputStream#readLine}: the bytes up to a {@code \n}, {@code \r} or {@code \r\n}
     * (not included), each byte one char; null at the end.
     */
    @Override
    public String readLine() {
        if (pos == bytes.length) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        while (pos < bytes.length) {
            int c = bytes[pos++] & 0xff;
            if (c == '\n') {
                break;
            }
            if (c == '\r') {
                if (pos < bytes.length && bytes[pos] == '\n') {
                    pos++;
                }
                break;
            }
            line.append((char) c);
        }
        return line.toString();
    }

    @Override
    public String readUTF() throws IOException {
        return DataInputStream.readUTF(this);
    }
}
