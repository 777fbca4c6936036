package io.rtcdp.udf.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OrderCalendarTest {
    static final long DAY = LabelSpec.DAY_MILLIS;

    /** A calendar of {@code days} days from epoch day {@code first}, {@code perDay} orders each. */
    static long[] flat(int days, long perDay) {
        long[] n = new long[days];
        Arrays.fill(n, perDay);
        return n;
    }

    @Test
    void theFactorComparesTheHorizonAYearAgoWithTheOneBeforeIt() {
        long first = 14_000;
        long[] n = flat(800, 10);
        // a year before day first + 500: the 30 days from first + 135 at 25 a day, before at 10
        for (int d = 135; d < 165; d++) {
            n[d] = 25;
        }
        OrderCalendar c = new OrderCalendar(first, n);
        long t = (first + 500) * DAY + 13 * 3_600_000L; // any time of the day
        assertThat(c.factor(t, 30)).isEqualTo(2.5);
        // one day later: 29 days at 25 and one at 10 ahead, 29 at 10 and one at 25 before
        assertThat(c.factor(t + DAY, 30)).isEqualTo((29 * 25 + 10) / (29 * 10 + 25.0));
        // the window before it alone, a horizon earlier: the factor flips
        assertThat(c.factor(t + 30 * DAY, 30)).isEqualTo(0.4);
        // a longer horizon mixes both
        assertThat(c.factor(t, 60)).isEqualTo((30 * 25 + 30 * 10) / (60 * 10.0));
    }

    @Test
    void withoutAYearAndAHorizonOfHistoryOrEnoughOrdersTheFactorIsOne() {
        long first = 14_000;
        OrderCalendar c = new OrderCalendar(first, flat(400, 10));
        // the window before reaches one day before the calendar
        assertThat(c.factor((first + 365 + 29) * DAY, 30)).isEqualTo(1);
        assertThat(c.ordersIn(first - 1, first + 29)).isEqualTo(-1);
        assertThat(c.factor((first + 365 + 30) * DAY, 30)).isEqualTo(1); // equal windows
        // the window ahead reaches past the last day
        long[] rising = flat(400, 10);
        Arrays.fill(rising, 370, 400, 20);
        OrderCalendar r = new OrderCalendar(first, rising);
        assertThat(r.factor((first + 365 + 370) * DAY, 30)).isEqualTo(2.0);
        assertThat(r.factor((first + 365 + 371) * DAY, 30)).isEqualTo(1);
        // 99 orders in a window are too few; 100 enough
        long[] sparse = new long[400];
        sparse[10] = 99;
        sparse[50] = 200;
        OrderCalendar s = new OrderCalendar(first, sparse);
        assertThat(s.factor((first + 365 + 40) * DAY, 30)).isEqualTo(1);
        sparse[10] = 100;
        assertThat(new OrderCalendar(first, sparse).factor((first + 365 + 40) * DAY, 30))
                .isEqualTo(2.0);
        // bounded to [1/4, 4]
        sparse[50] = 1000;
        assertThat(new OrderCalendar(first, sparse).factor((first + 365 + 40) * DAY, 30))
                .isEqualTo(OrderCalendar.MAX_FACTOR);
    }

    @Test
    void theCalibratedDaysAreWhereBothWindowsAreInside() {
        long first = java.time.LocalDate.of(2009, 12, 1).toEpochDay();
        long last = java.time.LocalDate.of(2011, 12, 9).toEpochDay();
        OrderCalendar c = new OrderCalendar(first, flat((int) (last - first + 1), 200));
        long[] d = c.calibratedDays(90);
        assertThat(d).containsExactly(first + 365 + 90, last + 365 - 90 + 1);
        // the first and last calibrated days have a factor from the calendar, the days beyond not
        long[] odd = flat((int) (last - first + 1), 200);
        Arrays.fill(odd, 90, 180, 400); // a busier second quarter: the first day's window ahead
        Arrays.fill(odd, odd.length - 90, odd.length, 400); // and the last day's
        OrderCalendar q = new OrderCalendar(first, odd);
        assertThat(q.factor(d[0] * DAY, 90)).isEqualTo(2.0);
        assertThat(q.factor((d[0] - 1) * DAY, 90)).isEqualTo(1);
        assertThat(q.factor(d[1] * DAY, 90)).isEqualTo(2.0);
        assertThat(q.factor((d[1] + 1) * DAY, 90)).isEqualTo(1);
        assertThat(c.describe(90))
                .isEqualTo(
                        "order calendar 2009-12-01 to 2011-12-09: seasonally calibrated for scores"
                                + " as of 2011-03-01 to 2012-09-10 (retrain before the end)");
        assertThat(new OrderCalendar(first, flat(179, 200)).describe(90))
                .endsWith("shorter than two horizons, no seasonal calibration");
        assertThat(new OrderCalendar(first, flat(180, 200)).calibratedDays(90))
                .containsExactly(first + 455, first + 455);
    }

    @Test
    void calibrationScalesTheRateOfOrders() {
        // churn: P(no order) q becomes q^s; purchase: 1 - (1 - p)^s
        assertThat(OrderCalendar.calibrate(0.64, 0.5, false)).isCloseTo(0.8, within(1e-12));
        assertThat(OrderCalendar.calibrate(0.36, 0.5, true)).isCloseTo(0.2, within(1e-12));
        assertThat(OrderCalendar.calibrate(0.5, 2, false)).isCloseTo(0.25, within(1e-12));
        assertThat(OrderCalendar.calibrate(0.5, 2, true)).isCloseTo(0.75, within(1e-12));
        // as a Poisson rate: P(no order) = exp(-λH) → exp(-sλH)
        double lambdaH = 0.7;
        assertThat(OrderCalendar.calibrate(Math.exp(-lambdaH), 1.3, false))
                .isCloseTo(Math.exp(-1.3 * lambdaH), within(1e-12));
        assertThat(OrderCalendar.calibrate(0.3, 1, true)).isEqualTo(0.3);
        // monotone in p for any s: the ranking stays
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            double a = random.nextDouble();
            double b = random.nextDouble();
            double s = 0.25 + random.nextDouble() * 3.75;
            for (boolean purchase : new boolean[] {true, false}) {
                assertThat(
                                Double.compare(
                                        OrderCalendar.calibrate(a, s, purchase),
                                        OrderCalendar.calibrate(b, s, purchase)))
                        .isEqualTo(Double.compare(a, b) == 0 ? 0 : Double.compare(a, b));
            }
        }
        // a model's label decides the direction
        long[] n = flat(800, 10);
        Arrays.fill(n, 135, 165, 20);
        OrderCalendar c = new OrderCalendar(0, n);
        long t = 500 * DAY;
        assertThat(c.calibrate(0.64, t, new LabelSpec(LabelSpec.Kind.CHURN, 30)))
                .isCloseTo(0.64 * 0.64, within(1e-12));
        assertThat(c.calibrate(0.36, t, new LabelSpec(LabelSpec.Kind.PURCHASE, 30)))
                .isCloseTo(1 - 0.64 * 0.64, within(1e-12));
    }

    @Test
    void aCalendarOfOrderTimesCountsEachUtcDayUpToTheEnd() {
        long d0 = 15_000;
        long[] times = {
            (d0 + 2) * DAY + 5, d0 * DAY, (d0 + 2) * DAY - 1, (d0 + 2) * DAY, (d0 + 9) * DAY
        };
        OrderCalendar c = OrderCalendar.of(times, (d0 + 4) * DAY + 7);
        assertThat(c.firstDay()).isEqualTo(d0);
        assertThat(c.lastDay()).isEqualTo(d0 + 4);
        assertThat(c.orders()).containsExactly(1, 1, 2, 0, 0);
        assertThat(OrderCalendar.of(times, d0 * DAY - 1)).isNull();
        // at most MAX_DAYS, the latest kept
        OrderCalendar longOne = OrderCalendar.of(new long[] {0, 9000 * DAY}, 9000 * DAY);
        assertThat(longOne.orders()).hasSize(OrderCalendar.MAX_DAYS);
        assertThat(longOne.lastDay()).isEqualTo(9000);
        assertThat(longOne.orders()[OrderCalendar.MAX_DAYS - 1]).isEqualTo(1);
        assertThat(Arrays.stream(longOne.orders()).sum()).isEqualTo(1);
    }

    @Test
    void valuesAreCheckedCopiedAndCompared() {
        long[] n = {1, 2, 3};
        OrderCalendar c = new OrderCalendar(7, n);
        n[0] = 99;
        assertThat(c.orders()).containsExactly(1, 2, 3);
        c.orders()[1] = 99;
        assertThat(c.orders()).containsExactly(1, 2, 3);
        assertThat(c).isEqualTo(new OrderCalendar(7, new long[] {1, 2, 3}));
        assertThat(c.hashCode()).isEqualTo(new OrderCalendar(7, new long[] {1, 2, 3}).hashCode());
        assertThat(c).isNotEqualTo(new OrderCalendar(8, new long[] {1, 2, 3}));
        assertThat(c).isNotEqualTo(new OrderCalendar(7, new long[] {1, 2, 4}));
        assertThatThrownBy(() -> new OrderCalendar(0, new long[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OrderCalendar(0, new long[] {1, -1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OrderCalendar(0, new long[] {Long.MAX_VALUE, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OrderCalendar(0, new long[OrderCalendar.MAX_DAYS + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
