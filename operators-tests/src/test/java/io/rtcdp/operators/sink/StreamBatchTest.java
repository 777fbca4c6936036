package io.rtcdp.operators.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamBatchTest {

    /**
     * The committables of checkpoints taken before the serializer wrote into Flink's buffer read as
     * they are: the bytes are those of the {@code DataOutputStream} it used before, byte for byte.
     */
    @Test
    void writesTheBytesOfVersionOneAsBeforeAndReadsThemBack() throws IOException {
        StreamBatch batch =
                new StreamBatch(
                        "acme",
                        List.of(
                                new StreamBatch.Pending(
                                        "1700000000000-0",
                                        new StreamEntry(
                                                "acme",
                                                "t1",
                                                new String[] {
                                                    "rule", "café crème", "reason", "用户 ✓ \u0000"
                                                })),
                                new StreamBatch.Pending(
                                        "1700000000000-1",
                                        new StreamEntry(
                                                "acme",
                                                "t2",
                                                new String[] {"reason", "x".repeat(70_000)}))));
        byte[] bytes = StreamBatch.Serializer.INSTANCE.serialize(batch);
        assertThat(bytes).isEqualTo(asBefore(batch));
        StreamBatch back = StreamBatch.Serializer.INSTANCE.deserialize(1, bytes);
        assertThat(back.tenant()).isEqualTo("acme");
        assertThat(back.entries()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            StreamBatch.Pending p = batch.entries().get(i);
            StreamBatch.Pending q = back.entries().get(i);
            assertThat(q.streamId()).isEqualTo(p.streamId());
            assertThat(q.entry().id()).isEqualTo(p.entry().id());
            assertThat(q.entry().tenant()).isEqualTo("acme");
            assertThat(q.entry().fields()).containsExactly(p.entry().fields());
        }
    }

    /** Version 1 as the serializer wrote it with a DataOutputStream. */
    private static byte[] asBefore(StreamBatch b) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(b.tenant());
            out.writeInt(b.entries().size());
            for (StreamBatch.Pending p : b.entries()) {
                out.writeUTF(p.streamId());
                out.writeUTF(p.entry().id());
                String[] f = p.entry().fields();
                out.writeInt(f.length);
                for (String s : f) {
                    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                    out.writeInt(utf8.length);
                    out.write(utf8);
                }
            }
        }
        return bytes.toByteArray();
    }
}
