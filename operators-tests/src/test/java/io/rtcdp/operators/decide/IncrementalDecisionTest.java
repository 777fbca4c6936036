package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.lifecycle.LifecycleStage;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.rules.ContactMessage;
import io.rtcdp.udf.rules.Trigger;
import io.rtcdp.udf.testing.Events;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The decision stage evaluating only the tags and segments whose inputs changed writes exactly what
 * it writes evaluating every condition: the same profile updates and the same triggers, over a
 * random stream of profile changes, RFM scores, traits and deletes.
 */
class IncrementalDecisionTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final String[] NAMES = {"product_added", "order_completed", "page", "search"};
    private static final String[] INT_FIELDS = {
        ProfileFields.EVENTS_TOTAL,
        ProfileFields.ORDERS_TOTAL,
        ProfileFields.ORDERS_24H,
        ProfileFields.CART_ADDS_24H,
        ProfileFields.VIEWS_24H,
        ProfileFields.ORDERS_30D,
        ProfileFields.ORDERS_90D,
        ProfileFields.DAYS_SINCE_LAST_ORDER,
        ProfileFields.CONSENT_MARKETING
    };

    private static KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate>
            harness(boolean incremental) throws Exception {
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new ProfileDecider(false, incremental),
                                List.of(ProfileDecider.RULES, ProfileDecider.MODELS)),
                        ProfileDecider.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        h.open();
        return h;
    }

    private static int slot(String field) {
        return ProfileFields.FEATURE_FIELDS.indexOf(field);
    }

    @Test
    void writesWhatAFullEvaluationWrites() throws Exception {
        String rules =
                Files.readString(Path.of("../examples/rules/demo.yaml"))
                        .replace("tenant: demo", "tenant: t");
        var incremental = harness(true);
        var full = harness(false);
        incremental.processBroadcastElement(rules, 0);
        full.processBroadcastElement(rules, 0);

        SplittableRandom r = new SplittableRandom(11);
        Map<String, ProfileValues> profiles = new HashMap<>();
        Map<String, Long> vers = new HashMap<>();
        long ts = T0;
        for (int step = 0; step < 4000; step++) {
            String oneid = "o" + r.nextInt(25);
            ts += r.nextInt(3_600_000);
            ProfileChange c;
            int kind = r.nextInt(20);
            if (kind == 0) {
                String[] segments = {"champions", "hibernating", "loyal"};
                c =
                        ProfileChange.ofRfm(
                                "t",
                                oneid,
                                new String[] {
                                    Integer.toString(1 + r.nextInt(5)),
                                    Integer.toString(1 + r.nextInt(5)),
                                    Integer.toString(1 + r.nextInt(5)),
                                    segments[r.nextInt(3)]
                                });
            } else if (kind == 1) {
                profiles.remove(oneid);
                c =
                        new ProfileChange(
                                "t",
                                oneid,
                                new ProfileUpdate(
                                        "t", oneid, 0, true, Map.of(), List.of(), List.of()),
                                null,
                                null,
                                null);
            } else {
                ProfileValues v = profiles.computeIfAbsent(oneid, o -> new ProfileValues()).copy();
                v.set(ProfileValues.AS_OF, ts);
                int changes = 1 + r.nextInt(3);
                for (int i = 0; i < changes; i++) {
                    switch (r.nextInt(5)) {
                        case 0 ->
                                v.set(
                                        slot(ProfileFields.REVENUE_90D),
                                        r.nextInt(3000) * 1_000_000L);
                        case 1 -> v.setTopCategory(r.nextBoolean() ? "shoes" : null);
                        case 2 ->
                                v.setLifecycle(
                                        LifecycleStage.values()[
                                                r.nextInt(LifecycleStage.values().length)]);
                        default -> {
                            String f = INT_FIELDS[r.nextInt(INT_FIELDS.length)];
                            v.set(
                                    slot(f),
                                    f.equals(ProfileFields.CONSENT_MARKETING)
                                            ? r.nextInt(2)
                                            : r.nextInt(90));
                        }
                    }
                }
                profiles.put(oneid, v);
                long ver = vers.merge(oneid, 1L, Long::sum);
                boolean rewrite = r.nextInt(50) == 0;
                Map<String, String> set = rewrite ? Map.of(ProfileFields.ONEID, oneid) : Map.of();
                Map<String, String> traits =
                        r.nextInt(6) == 0
                                ? Map.of("member_level", r.nextBoolean() ? "gold" : "silver")
                                : Map.of();
                Event e =
                        r.nextInt(4) == 0
                                ? null
                                : Events.track(NAMES[r.nextInt(NAMES.length)])
                                        .tenant("t")
                                        .eventId("e" + step)
                                        .at(ts)
                                        .channel("app")
                                        .userId(oneid)
                                        .traits(traits)
                                        .build();
                c =
                        new ProfileChange(
                                "t",
                                oneid,
                                new ProfileUpdate(
                                        "t", oneid, ver, false, set, List.of(), List.of()),
                                v,
                                e,
                                null);
            }
            incremental.processElement(c, ts);
            full.processElement(c, ts);
        }
        List<ProfileUpdate> a = incremental.extractOutputValues();
        List<ProfileUpdate> b = full.extractOutputValues();
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(Map.copyOf(a.get(i).set()))
                    .as("update %d", i)
                    .isEqualTo(Map.copyOf(b.get(i).set()));
            assertThat(a.get(i).unset()).as("update %d", i).isEqualTo(b.get(i).unset());
            assertThat(a.get(i).segments()).as("update %d", i).isEqualTo(b.get(i).segments());
        }
        List<String> ta = triggerIds(incremental);
        assertThat(ta).isEqualTo(triggerIds(full)).isNotEmpty();
        assertThat(a.stream().filter(u -> u.set().containsKey("tags")).count()).isPositive();
        incremental.close();
        full.close();
    }

    private static List<String> triggerIds(
            KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> h) {
        List<String> ids = new ArrayList<>();
        if (h.getSideOutput(ProfileDecider.TRIGGERS) != null) {
            for (StreamRecord<ContactMessage> m : h.getSideOutput(ProfileDecider.TRIGGERS)) {
                Trigger t = m.getValue().trigger();
                ids.add(t.triggerId() + " " + t.rule());
            }
        }
        return ids;
    }
}
