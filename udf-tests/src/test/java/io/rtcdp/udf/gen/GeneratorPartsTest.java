package io.rtcdp.udf.gen;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The generator's building blocks against simple oracles. */
class GeneratorPartsTest {

    @Property(tries = 200)
    void everyPhoneSpellingNormalisesToTheSameNumber(
            @ForAll @LongRange(min = 13_000_000_000L, max = 19_999_999_999L) long number,
            @ForAll long seed) {
        String digits = Long.toString(number);
        SplittableRandom r = new SplittableRandom(seed);
        Set<String> normalised = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            normalised.add(ContractOracle.normalise("phone", IdFormats.phone(digits, r)));
        }
        assertThat(normalised).containsExactly("+86" + digits);
    }

    @Property(tries = 200)
    void everyEmailSpellingNormalisesToTheSameAddress(
            @ForAll @IntRange(min = 0, max = 1_000_000) int index, @ForAll long seed) {
        String canonical = "li.wei" + index + "@qq.com";
        SplittableRandom r = new SplittableRandom(seed);
        Set<String> normalised = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            normalised.add(ContractOracle.normalise("email", IdFormats.email(canonical, r)));
        }
        assertThat(normalised).containsExactly(canonical);
    }

    @Property(tries = 100)
    void clockIsMonotoneAndInsideTheRange(
            @ForAll @LongRange(min = 0, max = 4_000_000_000_000L) long start,
            @ForAll @LongRange(min = 1, max = 400L * 86_400_000L) long duration,
            @ForAll @IntRange(min = -12, max = 14) int zoneHours,
            @ForAll long seed) {
        DiurnalClock clock =
                new DiurnalClock(start, start + duration, ZoneOffset.ofHours(zoneHours));
        SplittableRandom r = new SplittableRandom(seed);
        int n = 2_000;
        long previous = Long.MIN_VALUE;
        for (int k = 0; k < n; k++) {
            long t = clock.at((k + r.nextDouble()) / n);
            assertThat(t).isBetween(Math.max(previous, start), start + duration - 1);
            previous = t;
        }
    }

    @Test
    void clockFollowsTheDay() {
        long start = 1_735_660_800_000L; // 2025-01-01T00:00+08:00
        long days = 28;
        DiurnalClock clock =
                new DiurnalClock(start, start + days * 86_400_000L, ZoneOffset.ofHours(8));
        int n = 200_000;
        int[] byHour = new int[24];
        for (int k = 0; k < n; k++) {
            long t = clock.at((k + 0.5) / n);
            byHour[(int) ((t - start) / 3_600_000L % 24)]++;
        }
        // 04:00 is the quietest hour, 21:00 the busiest (weights 0.07 and 1.55).
        assertThat(byHour[21]).isGreaterThan(15 * byHour[4]);
        assertThat(byHour[12]).isGreaterThan(byHour[8]);
    }

    @Property(tries = 100)
    void personQueueOrdersLikeAPriorityQueue(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        PersonQueue queue = new PersonQueue(1);
        PriorityQueue<long[]> oracle =
                new PriorityQueue<>(
                        Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        List<Long> got = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        for (int step = 0; step < 500; step++) {
            if (oracle.isEmpty() || r.nextInt(3) > 0) {
                long time = r.nextLong(50); // many ties, decided by the person index
                int person = r.nextInt(1_000);
                queue.add(time, person);
                oracle.add(new long[] {time, person});
            } else {
                got.add((long) queue.poll());
                expected.add(oracle.poll()[1]);
            }
            assertThat(queue.size()).isEqualTo(oracle.size());
        }
        while (!oracle.isEmpty()) {
            got.add((long) queue.poll());
            expected.add(oracle.poll()[1]);
        }
        assertThat(got).isEqualTo(expected);
    }

    @Property(tries = 50)
    void personIdsAreDistinctAcrossPersons(@ForAll long seed) {
        List<String> tenants = List.of("t");
        Set<String> ids = new HashSet<>();
        int idsSeen = 0;
        for (int p = 0; p < 300; p++) {
            Person person = Person.of(seed, p, tenants);
            List<String> own = new ArrayList<>();
            own.add("user_id:" + person.userId);
            for (String c : person.cookies) {
                own.add("cookie_id:" + c);
            }
            for (String d : person.devices) {
                own.add("device_id:" + d);
            }
            if (person.phone != null) {
                own.add("phone:" + person.phone);
                assertThat(person.phone).matches("1\\d{10}");
            }
            if (person.email != null) {
                own.add("email:" + person.email);
            }
            if (person.unionId != null) {
                own.add("union_id:" + person.unionId);
                assertThat(person.unionId).hasSize(28);
            }
            ids.addAll(own);
            idsSeen += own.size();
            assertThat(Person.userId(seed, p)).isEqualTo(person.userId);
        }
        assertThat(ids).hasSize(idsSeen);
    }

    @Test
    void jsonLineEscapes() {
        String line =
                new JsonLine()
                        .begin()
                        .str("a", "q\"b\\c\n\u0001")
                        .open("o")
                        .num("n", -5)
                        .cents("m", -1_234)
                        .cents("z", 7)
                        .bool("b", true)
                        .close()
                        .raw("r", "[1]")
                        .end();
        assertThat(line)
                .isEqualTo(
                        "{\"a\":\"q\\\"b\\\\c\\u000a\\u0001\",\"o\":{\"n\":-5,\"m\":-12.34,"
                                + "\"z\":0.07,\"b\":true},\"r\":[1]}");
    }
}
