package io.rtcdp.udf.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StringsTest {
    private static DataInputStream written(String... values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        for (String v : values) {
            Strings.write(out, v);
        }
        return new DataInputStream(new ByteArrayInputStream(b.toByteArray()));
    }

    @Test
    void readSharedReadsWhatReadReads() throws IOException {
        List<String> values =
                Arrays.asList(
                        null,
                        "",
                        "acme",
                        "user_id",
                        "ümlaut",
                        "名前",
                        "x".repeat(32),
                        "y".repeat(33),
                        "\u0000",
                        "a\u00ffb");
        DataInputStream shared = written(values.toArray(String[]::new));
        DataInputStream plain = written(values.toArray(String[]::new));
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            a.add(Strings.readShared(shared));
            b.add(Strings.read(plain));
        }
        assertThat(a).isEqualTo(values).isEqualTo(b);
    }

    @Test
    void aShortAsciiStringReadAgainIsTheSameInstance() throws IOException {
        DataInputStream in = written("tenant-a", "cookie_id", "tenant-a", "cookie_id", "tenant-b");
        String first = Strings.readShared(in);
        String type = Strings.readShared(in);
        assertThat(Strings.readShared(in)).isSameAs(first);
        assertThat(Strings.readShared(in)).isSameAs(type);
        assertThat(Strings.readShared(in)).isEqualTo("tenant-b").isNotSameAs(first);
    }

    @Test
    void textsThatShareASlotAreNeverConfused() throws IOException {
        // 2,000 distinct texts through 512 slots, each read back twice: always its own text
        String[] texts = new String[2_000];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = "t" + Integer.toString(i * 7919, 36);
        }
        for (int round = 0; round < 2; round++) {
            DataInputStream in = written(texts);
            for (String t : texts) {
                assertThat(Strings.readShared(in)).isEqualTo(t);
            }
        }
    }
}
