package io.rtcdp.udf.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdTypes;
import io.rtcdp.udf.identity.OneIdInfo.MergeRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class OneIdInfoTest {
    private static final Id U1 = new Id(IdTypes.USER_ID, "u1");
    private static final Id C1 = new Id(IdTypes.COOKIE_ID, "c1");
    private static final Id C2 = new Id(IdTypes.COOKIE_ID, "c2");

    private static byte[] encode(OneIdInfo info) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        info.write(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static OneIdInfo decode(byte[] b) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
        OneIdInfo info = OneIdInfo.read(in);
        assertThat(in.read()).as("bytes left over").isEqualTo(-1);
        return info;
    }

    @Test
    void roundTripsAProfileWithHistory() throws IOException {
        OneIdInfo info =
                new OneIdInfo(
                        "o0123456789abcdef0123",
                        1_709_287_200_000L,
                        List.of(U1, new Id(IdTypes.PHONE, "9f86d081884c7d65"), C1, C2),
                        List.of(
                                new MergeRecord("oaaaaaaaaaaaaaaaaaaaa", -5, C1),
                                new MergeRecord("obbbbbbbbbbbbbbbbbbbb", Long.MAX_VALUE, U1)));

        assertThat(decode(encode(info))).isEqualTo(info);
    }

    @Test
    void eachTypeNameIsWrittenOnce() throws IOException {
        OneIdInfo two = OneIdInfo.founded("o1", 0, List.of(C1, C2));
        OneIdInfo one = OneIdInfo.founded("o1", 0, List.of(C1));

        // the second cookie costs its value only: a length byte and two characters
        assertThat(encode(two).length - encode(one).length).isEqualTo(3);
    }

    @Test
    void rejectsUnknownFormatsAndTruncatedOrCorruptBytes() throws IOException {
        byte[] b = encode(OneIdInfo.founded("o1", 7, List.of(U1, C1)));

        byte[] future = b.clone();
        future[0] = 2;
        assertThatThrownBy(() -> decode(future)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decode(Arrays.copyOf(b, b.length - 1)))
                .isInstanceOf(EOFException.class);

        // the same ids in the wrong order: corrupt state, not a profile
        byte[] swapped = encode(OneIdInfo.founded("o1", 7, List.of(C1, C2)));
        // it ends with the values "c1" and "c2" (a length byte, two characters each), then 0 merges
        int n = swapped.length;
        assertThat(Arrays.copyOfRange(swapped, n - 7, n))
                .containsExactly(3, 'c', '1', 3, 'c', '2', 0);
        swapped[n - 5] = '2';
        swapped[n - 2] = '1';
        assertThatThrownBy(() -> decode(swapped))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("sorted");
    }

    @Test
    void refusesInvalidProfiles() {
        assertThatThrownBy(() -> OneIdInfo.founded("o1", 0, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OneIdInfo.founded("o1", 0, List.of(C1, U1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OneIdInfo.founded("o1", 0, List.of(C1, C1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<OneIdInfo> infos() {
        Arbitrary<String> types =
                Arbitraries.of(
                        IdTypes.USER_ID,
                        IdTypes.PHONE,
                        IdTypes.EMAIL,
                        IdTypes.UNION_ID,
                        IdTypes.DEVICE_ID,
                        IdTypes.COOKIE_ID,
                        "x_crm",
                        "x_loyalty");
        // values with non-ASCII and empty strings exercise the string codec
        Arbitrary<String> values =
                Arbitraries.strings().withCharRange('\u0000', '\u07ff').ofMaxLength(40);
        Arbitrary<Id> ids = Combinators.combine(types, values).as(Id::new);
        Arbitrary<MergeRecord> merges =
                Combinators.combine(
                                Arbitraries.strings().alpha().ofMaxLength(25),
                                Arbitraries.longs(),
                                ids)
                        .as(MergeRecord::new);
        return Combinators.combine(
                        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(25),
                        Arbitraries.longs(),
                        ids.set().ofMinSize(1).ofMaxSize(70),
                        merges.list().ofMaxSize(OneIdInfo.MAX_MERGES))
                .as(
                        (oneid, firstSeen, idSet, history) ->
                                new OneIdInfo(
                                        oneid,
                                        firstSeen,
                                        List.copyOf(new TreeSet<>(idSet)),
                                        history));
    }

    @Property(tries = 500)
    void everyProfileRoundTrips(@ForAll("infos") OneIdInfo info) throws IOException {
        assertThat(decode(encode(info))).isEqualTo(info);
    }
}
