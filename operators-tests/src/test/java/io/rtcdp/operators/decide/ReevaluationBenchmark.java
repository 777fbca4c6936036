package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.ProfileUpdater;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.ProfileValues;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * How long a new rule set takes to reach every profile: the decision stage, on RocksDB, holds
 * {@link #PROFILES} profiles of one tenant; then rule set v2 arrives and is applied to all of them
 * ({@code applyToKeyedState}). Prints the time; asserts only that every profile was re-evaluated.
 * Not part of the build (the name does not end in Test); run it with
 *
 * <pre>
 * mvn -o -pl operators-tests -am verify -Dtest=ReevaluationBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * and read {@code operators/target/surefire-reports/*ReevaluationBenchmark-output.txt}.
 */
class ReevaluationBenchmark {
    static final int PROFILES = Integer.getInteger("rtcdp.bench.profiles", 1_000_000);

    static final String V1 =
            "tenant: t\nversion: 1\ntags:\n"
                    + "  - {name: big, when: \"f.revenue_total >= 100.0\"}\n"
                    + "  - {name: active, when: \"f.events_total >= 5\"}\n"
                    + "segments:\n  - {name: vip, when: \"'big' in tags\"}\n";
    static final String V2 =
            "tenant: t\nversion: 2\ntags:\n"
                    + "  - {name: big_spender, when: \"f.revenue_total >= 100.0\"}\n"
                    + "  - {name: active, when: \"f.events_total >= 3\"}\n"
                    + "segments:\n  - {name: vip, when: \"'big_spender' in tags\"}\n"
                    + "  - {name: regulars, when: \"'active' in tags\"}\n";

    @Test
    void reevaluateAllProfiles() throws Exception {
        var harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new ProfileDecider(),
                                List.of(ProfileDecider.RULES, ProfileDecider.MODELS)),
                        ProfileDecider.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.open();
        harness.processBroadcastElement(V1, 0);
        int n = ProfileUpdater.FIELDS.size();
        long t0 = System.nanoTime();
        for (int i = 0; i < PROFILES; i++) {
            String[] fields = new String[n];
            fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.AS_OF)] = "1700000000000";
            fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.EVENTS_TOTAL)] =
                    Integer.toString(i % 10);
            fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.REVENUE_TOTAL)] =
                    Integer.toString(i % 300);
            fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.ORDERS_TOTAL)] = "1";
            String oneid = "o" + i;
            ProfileUpdate u =
                    new ProfileUpdate(
                            "t", oneid, 1, false, Map.of("oneid", oneid), List.of(), List.of());
            harness.processElement(
                    new ProfileChange("t", oneid, u, ProfileValues.parse(fields), null, null), 0);
            if (i % 100_000 == 0) {
                harness.getOutput().clear();
            }
        }
        harness.getOutput().clear();
        long loaded = System.nanoTime() - t0;
        // v2 changes the tags or segments of every profile but those with revenue < 100 and
        // fewer than 3 events
        long changed = 0;
        for (int i = 0; i < PROFILES; i++) {
            if (i % 300 >= 100 || i % 10 >= 3) {
                changed++;
            }
        }
        long t1 = System.nanoTime();
        harness.processBroadcastElement(V2, 0);
        long reeval = System.nanoTime() - t1;
        int updates = harness.getOutput().size();
        System.out.printf(
                "%d profiles on RocksDB: loaded in %.1f s (%.0f profile updates/s); rule set v2"
                        + " applied to all in %.1f s (%.0f profiles/s), %d profile writes%n",
                PROFILES,
                loaded / 1e9,
                PROFILES / (loaded / 1e9),
                reeval / 1e9,
                PROFILES / (reeval / 1e9),
                updates);
        assertThat(updates).isEqualTo(changed);
        harness.close();
    }
}
