package io.rtcdp.udf.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.lifecycle.LifecycleStage;
import io.rtcdp.udf.ml.FeatureSpec;
import io.rtcdp.udf.ml.FeatureVectorBuilder;
import io.rtcdp.udf.profile.ProfileScenario.Op;
import io.rtcdp.udf.profile.ProfileScenario.Sim;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The typed values the profile stage hands to the decision stage say exactly what their text says:
 * the same text, the same doubles (bit for bit), the same model inputs.
 */
class ProfileValuesTest {
    private static final int SLOTS = ProfileValues.SLOTS;

    /** Every model source, identity and log1p, so the typed and the text path are compared. */
    private static final List<FeatureVectorBuilder> BUILDERS = builders();

    private static List<FeatureVectorBuilder> builders() {
        List<FeatureSpec> identity = new ArrayList<>();
        List<FeatureSpec> log = new ArrayList<>();
        for (String s : FeatureVectorBuilder.SOURCES) {
            identity.add(FeatureSpec.of(s, FeatureSpec.Transform.IDENTITY));
            log.add(FeatureSpec.of(s, FeatureSpec.Transform.LOG1P));
        }
        // with BG/NBD's parameters: p_alive and bgnbd_purchase computed, not missing
        io.rtcdp.udf.ml.BgNbd.Params bg = new io.rtcdp.udf.ml.BgNbd.Params(0.6, 48, 0.2, 2.6);
        return List.of(
                new FeatureVectorBuilder(identity),
                new FeatureVectorBuilder(log),
                new FeatureVectorBuilder(identity, bg, 30));
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return ProfileScenario.ops(40);
    }

    /** Values, text, doubles and model inputs agree after every step of random histories. */
    @Property(tries = 300)
    void valuesSayWhatTheRenderingSays(@ForAll("ops") List<Op> ops) throws IOException {
        Sim sim = new Sim();
        String[] text = new String[SLOTS];
        ProfileValues values = new ProfileValues();
        for (Op op : ops) {
            sim.apply(op);
            sim.state.render(values, text);
            agree(values, text);
            ProfileValues alone = new ProfileValues();
            sim.state.values(alone);
            assertThat(alone).isEqualTo(values);
        }
    }

    private static void agree(ProfileValues values, String[] text) throws IOException {
        for (int i = 0; i < SLOTS; i++) {
            assertThat(values.text(i)).as("slot %d", i).isEqualTo(text[i]);
            assertThat(values.has(i)).isEqualTo(text[i] != null);
            if (text[i] != null && i != ProfileValues.TOP_CATEGORY) {
                assertThat(Double.doubleToRawLongBits(values.number(i)))
                        .as("slot %d: %s", i, text[i])
                        .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text[i])));
            }
        }
        String[] withStage = java.util.Arrays.copyOf(text, SLOTS + 1);
        withStage[SLOTS] = values.lifecycle() == null ? null : values.lifecycle().label();
        assertThat(ProfileValues.parse(withStage)).isEqualTo(values);
        assertThat(roundTrip(values)).isEqualTo(values);
        for (FeatureVectorBuilder b : BUILDERS) {
            double[] typed = new double[b.size()];
            b.build(values, typed);
            double[] parsed = new double[b.size()];
            b.build(text, parsed);
            for (int i = 0; i < typed.length; i++) {
                assertThat(Double.doubleToRawLongBits(typed[i]))
                        .as("%s", b.features().get(i))
                        .isEqualTo(Double.doubleToRawLongBits(parsed[i]));
            }
        }
    }

    /** Money beyond 2^53 micros and the saturated extremes: the text is parsed, not divided. */
    @Property(tries = 2000)
    void largeAndOddAmountsConvertAsTheirTextParses(
            @ForAll @LongRange(min = Long.MIN_VALUE, max = Long.MAX_VALUE) long unscaled,
            @ForAll @IntRange(min = 0, max = 3) int which)
            throws IOException {
        int slot =
                ProfileFields.FEATURE_FIELDS.indexOf(
                        switch (which) {
                            case 0 -> ProfileFields.REVENUE_TOTAL;
                            case 1 -> ProfileFields.AVG_ORDER_VALUE;
                            case 2 -> ProfileFields.ORDERS_TOTAL;
                            default -> ProfileFields.REVENUE_30D;
                        });
        ProfileValues v = new ProfileValues();
        v.set(slot, unscaled);
        String text = v.text(slot);
        assertThat(Double.doubleToRawLongBits(v.number(slot)))
                .as(text)
                .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
        String[] fields = new String[SLOTS];
        fields[slot] = text;
        assertThat(ProfileValues.parse(fields)).isEqualTo(v);
        assertThat(roundTrip(v)).isEqualTo(v);
    }

    @Test
    void edgesOfTheDoublePath() {
        long[] edges = {
            (1L << 53) - 1, 1L << 53, (1L << 53) + 1, -(1L << 53), Long.MAX_VALUE, Long.MIN_VALUE
        };
        int revenue = ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.REVENUE_TOTAL);
        int events = ProfileFields.FEATURE_FIELDS.indexOf(ProfileFields.EVENTS_TOTAL);
        for (long e : edges) {
            for (int slot : new int[] {revenue, events}) {
                ProfileValues v = new ProfileValues();
                v.set(slot, e);
                assertThat(Double.doubleToRawLongBits(v.number(slot)))
                        .as("%d in slot %d", e, slot)
                        .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(v.text(slot))));
            }
        }
    }

    @Test
    void anEmptyProfileAndTheLifecycleRoundTrip() throws IOException {
        ProfileValues v = new ProfileValues();
        assertThat(v.isEmpty()).isTrue();
        assertThat(v.asOf()).isZero();
        assertThat(roundTrip(v)).isEqualTo(v);
        v.set(ProfileValues.AS_OF, 5);
        v.setTopCategory("äpfel");
        v.setLifecycle(LifecycleStage.DORMANT);
        ProfileValues back = roundTrip(v);
        assertThat(back).isEqualTo(v);
        assertThat(back.lifecycle()).isEqualTo(LifecycleStage.DORMANT);
        assertThat(back.render()[SLOTS]).isEqualTo("dormant");
        assertThat(back.copy()).isEqualTo(v);
        v.setTopCategory(null);
        assertThat(v.has(ProfileValues.TOP_CATEGORY)).isFalse();
        assertThatThrownBy(() -> v.set(ProfileValues.TOP_CATEGORY, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void corruptEncodingsAndTextAreRefused() {
        assertThatThrownBy(
                        () ->
                                read(
                                        new byte[] {
                                            (byte) 0xff,
                                            (byte) 0xff,
                                            (byte) 0xff,
                                            (byte) 0xff,
                                            (byte) 0xff,
                                            (byte) 0xff,
                                            (byte) 0xff,
                                            (byte) 0xff,
                                            0x7f,
                                            0
                                        }))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("presence bits");
        assertThatThrownBy(() -> read(new byte[] {0, 9})).hasMessageContaining("lifecycle");
        String[] fields = new String[SLOTS];
        fields[ProfileValues.ORDERS_TOTAL] = "1.5";
        assertThatThrownBy(() -> ProfileValues.parse(fields))
                .isInstanceOf(ArithmeticException.class);
        fields[ProfileValues.ORDERS_TOTAL] = "x";
        assertThatThrownBy(() -> ProfileValues.parse(fields))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProfileValues.parse(new String[3]))
                .isInstanceOf(IllegalArgumentException.class);
        String[] stage = new String[SLOTS + 1];
        stage[SLOTS] = "sleepy";
        assertThatThrownBy(() -> ProfileValues.parse(stage))
                .hasMessageContaining("lifecycle stage");
    }

    private static ProfileValues roundTrip(ProfileValues v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        v.write(new DataOutputStream(b));
        return read(b.toByteArray());
    }

    private static ProfileValues read(byte[] bytes) throws IOException {
        return ProfileValues.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    }
}
