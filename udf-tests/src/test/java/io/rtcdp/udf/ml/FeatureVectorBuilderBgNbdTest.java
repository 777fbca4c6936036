package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.testing.Events;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The BG/NBD inputs of a model: the profile seen as BG/NBD's (x, t_x, T) from its order times,
 * scored with the model's parameters (contract §7.2), and absent without them.
 */
class FeatureVectorBuilderBgNbdTest {
    private static final long DAY = LabelSpec.DAY_MILLIS;
    private static final long T0 = 1_700_006_400_000L; // a UTC midnight
    private static final BgNbd.Params PARAMS = new BgNbd.Params(0.61, 48.0, 0.2, 2.65);
    private static final List<FeatureSpec> INPUTS =
            List.of(
                    FeatureSpec.of("p_alive", FeatureSpec.Transform.IDENTITY),
                    FeatureSpec.of("bgnbd_purchase", FeatureSpec.Transform.IDENTITY));

    private static Event order(long day) {
        return Events.track(Event.ORDER_COMPLETED)
                .at(T0 + day * DAY)
                .amountMicros(10_000_000L)
                .build();
    }

    private static double[] inputs(ProfileFeatures f, BgNbd.Params params) {
        return new FeatureVectorBuilder(INPUTS, params, 30).build(f);
    }

    @Test
    void aRepeatCustomerIsScoredFromItsOrderTimes() {
        ProfileFeatures f = new ProfileFeatures();
        for (long d : new long[] {0, 10, 30}) {
            f.add(order(d));
        }
        f.advanceTo(T0 + 50 * DAY);
        // two repeat purchases, 30 days from the first to the last, 50 days since the first
        BgNbd.Customer c = new BgNbd.Customer(2, 30, 50);
        double[] x = inputs(f, PARAMS);
        assertThat(x[0]).isCloseTo(BgNbd.pAlive(PARAMS, c), within(1e-12));
        assertThat(x[1]).isCloseTo(BgNbd.probabilityOfPurchase(PARAMS, c, 30), within(1e-12));
        assertThat(x[0]).isBetween(0.0, 1.0);
        assertThat(x[1]).isLessThan(x[0]);

        // later, without orders: less likely alive
        f.advanceTo(T0 + 200 * DAY);
        assertThat(inputs(f, PARAMS)[0])
                .isCloseTo(BgNbd.pAlive(PARAMS, new BgNbd.Customer(2, 30, 200)), within(1e-12))
                .isLessThan(x[0]);
    }

    @Test
    void oneOrderOrOrdersAtOneTimeAreNoRepeatPurchase() {
        ProfileFeatures one = new ProfileFeatures();
        one.add(order(0));
        one.advanceTo(T0 + 20 * DAY);
        BgNbd.Customer c = new BgNbd.Customer(0, 0, 20);
        assertThat(inputs(one, PARAMS))
                .containsExactly(1, BgNbd.probabilityOfPurchase(PARAMS, c, 30));

        ProfileFeatures same = new ProfileFeatures();
        same.add(order(0));
        same.add(order(0));
        same.advanceTo(T0 + 20 * DAY);
        assertThat(inputs(same, PARAMS)).containsExactly(inputs(one, PARAMS));
    }

    @Test
    void aProfileWithoutOrdersIsANewCustomer() {
        ProfileFeatures f = new ProfileFeatures();
        f.add(Events.track(Event.PRODUCT_VIEWED).at(T0).build());
        BgNbd.Customer c = new BgNbd.Customer(0, 0, 0);
        assertThat(inputs(f, PARAMS))
                .containsExactly(1, BgNbd.probabilityOfPurchase(PARAMS, c, 30));
    }

    @Test
    void withoutParametersTheInputsAreTheirMissingValues() {
        ProfileFeatures f = new ProfileFeatures();
        f.add(order(0));
        List<FeatureSpec> withMissing =
                List.of(
                        new FeatureSpec("p_alive", FeatureSpec.Transform.IDENTITY, 1, 1),
                        new FeatureSpec("bgnbd_purchase", FeatureSpec.Transform.IDENTITY, 1, 0));
        assertThat(new FeatureVectorBuilder(withMissing).build(f)).containsExactly(1, 0);
        assertThat(ModelSpec.extended("purchase").usesBgNbd()).isTrue();
        assertThat(ModelSpec.defaults("purchase").usesBgNbd()).isFalse();
    }
}
