package io.rtcdp.udf.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.testing.Events;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileStateTest {

    static byte[] bytes(ProfileState s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        s.write(new DataOutputStream(b));
        return b.toByteArray();
    }

    static ProfileState read(byte[] b) throws IOException {
        return ProfileState.read(new DataInputStream(new ByteArrayInputStream(b)));
    }

    static ProfileState withEvent() {
        ProfileState s = new ProfileState();
        s.features()
                .add(
                        Events.track("order_completed")
                                .eventId("e1")
                                .at(1_700_000_000_000L)
                                .amountMicros(12_500_000L)
                                .category("shoes")
                                .build());
        return s;
    }

    @Test
    void roundTripsWithMoreIdsThanSixteenBitsCount() throws IOException {
        ProfileState s = withEvent();
        List<Id> ids = new ArrayList<>();
        for (int i = 0; i < 70_000; i++) {
            ids.add(new Id("x_t" + (i % 7), "v" + i));
        }
        ids.sort(null);
        s.addIds(ids);
        s.nextVer();
        s.setTimerAt(42);
        s.setWrittenEpoch(7);
        s.defer(123_456L);
        ProfileState back = read(bytes(s));
        assertThat(back.deferrals()).isEqualTo(1);
        assertThat(back.deferredUntil()).isEqualTo(123_456L);
        assertThat(back).isEqualTo(s);
        assertThat(back.ids()).hasSize(70_000);
    }

    @Test
    void readsTheFormatWithASixteenBitIdCount() throws IOException {
        ProfileState s = withEvent();
        s.addIds(List.of(new Id("user_id", "u1"), new Id("cookie_id", "c1")));
        s.nextVer();
        // format 2, as written before the count became a varint
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeByte(2);
        out.writeLong(s.ver());
        out.writeLong(s.timerAt());
        out.writeLong(s.writtenEpoch());
        out.writeShort(2);
        writeUserAndCookie(out);
        s.features().write(out);
        assertThat(read(b.toByteArray())).isEqualTo(s);
    }

    @Test
    void readsTheFormatWithIdsInline() throws IOException {
        ProfileState s = withEvent();
        s.addIds(List.of(new Id("user_id", "u1"), new Id("cookie_id", "c1")));
        s.nextVer();
        s.defer(99L);
        // format 3: the ids written in place, without their length
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeByte(3);
        out.writeLong(s.ver());
        out.writeLong(s.timerAt());
        out.writeLong(s.writtenEpoch());
        out.writeByte(1);
        out.writeLong(99L);
        Strings.writeVarInt(out, 2);
        writeUserAndCookie(out);
        s.features().write(out);
        ProfileState back = read(b.toByteArray());
        assertThat(back).isEqualTo(s);
        assertThat(read(bytes(back))).isEqualTo(s);
    }

    /** Ids not used are written back as read; used ones are decoded, changed and encoded again. */
    @Test
    void idsAreDecodedOnlyWhenUsed() throws IOException {
        ProfileState s = withEvent();
        s.addIds(List.of(new Id("user_id", "u1"), new Id("cookie_id", "c1")));
        byte[] written = bytes(s);
        ProfileState untouched = read(written);
        assertThat(untouched.addIds(List.of())).isEmpty();
        assertThat(untouched.removeIds(List.of())).isFalse();
        untouched.features().advanceTo(1_700_000_100_000L);
        s.features().advanceTo(1_700_000_100_000L);
        assertThat(bytes(untouched)).isEqualTo(bytes(s));
        ProfileState used = read(written);
        assertThat(used.addIds(List.of(new Id("user_id", "u1"), new Id("email", "e1"))))
                .containsExactly(new Id("email", "e1"));
        assertThat(used.removeIds(List.of(new Id("cookie_id", "c1")))).isTrue();
        assertThat(read(bytes(used)).ids())
                .containsExactly(new Id("user_id", "u1"), new Id("email", "e1"));
        assertThat(used.renderIdCounts()).isEqualTo("user_id:1,email:1");
    }

    @Test
    void aCorruptIdLengthIsRefused() throws IOException {
        byte[] b = bytes(withEvent());
        // format, ver, timerAt, epoch, deferrals: the ids' length follows at byte 26
        b[26] = (byte) 0xff;
        b[27] = (byte) 0xff;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> read(b))
                .isInstanceOf(IOException.class);
    }

    /** The ids user_id:u1 and cookie_id:c1 as formats 2 and 3 wrote them, after their count. */
    private static void writeUserAndCookie(DataOutputStream out) throws IOException {
        out.writeBoolean(false);
        Strings.write(out, "user_id");
        Strings.write(out, "u1");
        out.writeBoolean(false);
        Strings.write(out, "cookie_id");
        Strings.write(out, "c1");
    }
}
