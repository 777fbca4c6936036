package io.rtcdp.udf.profile;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Strings in state and records: a varint of the byte length + 1 (0 for null), then UTF-8. Faster
 * than {@code writeUTF} and Flink's {@code StringValue} for the mostly-ASCII ids and names rtcdp
 * stores (the JDK encodes and decodes compact strings in bulk), and not limited to 64 KiB.
 */
public final class Strings {
    private Strings() {}

    public static void write(DataOutput out, String s) throws IOException {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(out, b.length + 1);
        out.write(b);
    }

    public static String read(DataInput in) throws IOException {
        int n = readVarInt(in) - 1;
        if (n <= 0) {
            return n == 0 ? "" : null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The longest string {@link #readShared} shares. */
    private static final int SHARED_MAX = 32;

    /** Recently read short ASCII strings by slot ({@link #readShared}). */
    private static final String[] SHARED = new String[512];

    /** Each thread's buffer for the bytes of a string {@link #readShared} may share. */
    private static final ThreadLocal<byte[]> SHARED_BYTES =
            ThreadLocal.withInitial(() -> new byte[SHARED_MAX]);

    /**
     * {@link #read}, for fields with few distinct values (tenants, id types, event names,
     * channels): a short ASCII string read again is the same instance, so it is not allocated, its
     * hash is computed once, and map lookups that compare it find it equal by identity. A table of
     * 512 slots by the text; a new text takes its slot (another thread that races for it only
     * misses: strings are immutable and safely published).
     */
    public static String readShared(DataInput in) throws IOException {
        int n = readVarInt(in) - 1;
        if (n <= 0) {
            return n == 0 ? "" : null;
        }
        if (n > SHARED_MAX) {
            byte[] b = new byte[n];
            in.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
        byte[] b = SHARED_BYTES.get();
        in.readFully(b, 0, n);
        int h = n;
        for (int i = 0; i < n; i++) {
            h = 31 * h + b[i];
        }
        int slot = (h ^ (h >>> 9)) & (SHARED.length - 1);
        String s = SHARED[slot];
        if (s != null && s.length() == n && sameAscii(s, b, n)) {
            return s;
        }
        s = new String(b, 0, n, StandardCharsets.UTF_8);
        if (s.length() == n) {
            // ASCII only: one byte per char, as sameAscii compares
            SHARED[slot] = s;
        }
        return s;
    }

    private static boolean sameAscii(String s, byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) != b[i]) {
                return false;
            }
        }
        return true;
    }

    public static void writeVarInt(DataOutput out, int v) throws IOException {
        while ((v & ~0x7f) != 0) { // unsigned: lengths only
            out.writeByte((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    public static int readVarInt(DataInput in) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = in.readByte();
            v |= (b & 0x7f) << shift;
            if (b >= 0) {
                if (v < 0) {
                    throw new IOException("corrupt length");
                }
                return v;
            }
        }
        throw new IOException("varint too long");
    }

    /**
     * A long in 7-bit groups, low first, read as unsigned: 1 byte below 128, 10 for a negative
     * value (zig-zag signed values first where they occur).
     */
    public static void writeVarLong(DataOutput out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    public static long readVarLong(DataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("corrupt state: varint longer than 10 bytes");
    }
}
