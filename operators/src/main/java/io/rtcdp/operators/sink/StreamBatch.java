package io.rtcdp.operators.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The entries of one tenant's stream that one checkpoint commits, each with the stream entry ID it
 * was given before the checkpoint. The IDs are part of the checkpoint, so a commit retried after a
 * failure sends exactly the same entries with the same IDs, and Redis refuses the ones it already
 * has.
 *
 * @param tenant tenant
 * @param entries entries in the order they are written
 */
public record StreamBatch(String tenant, List<Pending> entries) {

    /**
     * @param streamId the Redis stream entry ID ({@code ms-seq})
     * @param entry the entry
     */
    public record Pending(String streamId, StreamEntry entry) {}

    /** Serializer of committables, version 1. */
    public static final class Serializer implements SimpleVersionedSerializer<StreamBatch> {
        public static final Serializer INSTANCE = new Serializer();

        @Override
        public int getVersion() {
            return 1;
        }

        /**
         * Into Flink's unsynchronized buffer: a checkpoint serializes every trigger of its interval
         * here, on the sink's task thread (through a {@code DataOutputStream} over a {@code
         * ByteArrayOutputStream}, every int and every string was a few synchronized writes).
         */
        @Override
        public byte[] serialize(StreamBatch b) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64 + 256 * b.entries().size());
            out.writeUTF(b.tenant());
            out.writeInt(b.entries().size());
            for (Pending p : b.entries()) {
                out.writeUTF(p.streamId());
                out.writeUTF(p.entry().id());
                String[] f = p.entry().fields();
                out.writeInt(f.length);
                for (String s : f) {
                    writeLong(out, s);
                }
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public StreamBatch deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("Unknown trigger batch version " + version);
            }
            DataInputDeserializer in = new DataInputDeserializer(serialized);
            String tenant = in.readUTF();
            int n = in.readInt();
            List<Pending> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String streamId = in.readUTF();
                String id = in.readUTF();
                String[] f = new String[in.readInt()];
                for (int j = 0; j < f.length; j++) {
                    f[j] = readLong(in);
                }
                entries.add(new Pending(streamId, new StreamEntry(tenant, id, f)));
            }
            return new StreamBatch(tenant, entries);
        }

        /** UTF-8 with an int length: field values (a reason text) may exceed writeUTF's 64 KiB. */
        private static void writeLong(DataOutputSerializer out, String s) throws IOException {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }

        private static String readLong(DataInputDeserializer in) throws IOException {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
