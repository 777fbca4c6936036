package io.rtcdp.udf.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.lifecycle.LifecycleStage;
import io.rtcdp.udf.ml.LabelSpec;
import io.rtcdp.udf.ml.LearningHead;
import io.rtcdp.udf.ml.SnapshotLabeler;
import io.rtcdp.udf.ml.WrittenScore;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.profile.Strings;
import io.rtcdp.udf.testing.DecisionStates;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecisionStateTest {
    private static final long DAY = 86_400_000L;

    private static byte[] bytes(DecisionState s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        s.write(new DataOutputStream(b));
        return b.toByteArray();
    }

    private static DecisionState read(byte[] b) throws IOException {
        return DecisionState.read(new DataInputStream(new ByteArrayInputStream(b)));
    }

    private static byte[] labeler(LabelSpec label) throws IOException {
        SnapshotLabeler l = new SnapshotLabeler(label, 7 * DAY, 6);
        l.offer(10 * DAY, new double[] {1, 2, 3});
        l.offer(17 * DAY, new double[] {4, 5, 6});
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        l.write(new DataOutputStream(b));
        return b.toByteArray();
    }

    @Test
    void roundTripsEveryPart() throws IOException {
        ProfileValues values = new ProfileValues();
        values.set(ProfileValues.AS_OF, 86_400_000L);
        values.set(ProfileValues.ORDERS_TOTAL, 3);
        values.setTopCategory("toys");
        values.setLifecycle(LifecycleStage.ACTIVE);
        DecisionState s = DecisionStates.withEveryPart(values);
        s.unmovedSnapshots.put("churn", new byte[] {1, 2, 3});
        s.scoredFit = 0x1234_5678_9ABC_DEF0L;
        DecisionState back = read(bytes(s));
        assertThat(back).isEqualTo(s);
        assertThat(back.learning).isEqualTo(s.learning);
        assertThat(back.unmovedSnapshots.get("churn")).containsExactly(1, 2, 3);
        assertThat(back.triggers.get("win_back").fires()).containsExactly(6);
        assertThat(back.scores).isEqualTo(s.scores);
        assertThat(back.marketing).isEqualTo(815);
        assertThat(back.scoredFit).isEqualTo(0x1234_5678_9ABC_DEF0L);
    }

    /** A state written by the previous release keeps its snapshots, now waiting to be moved. */
    @Test
    void readsFormat3WithSnapshotsInline() throws IOException {
        LabelSpec purchase = LabelSpec.defaultFor("purchase");
        byte[] snapshots = labeler(purchase);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeByte(3);
        // fields: the profile stage's text (as_of, top category, lifecycle; the rest absent)
        String[] fields = new String[ProfileValues.SLOTS + 1];
        fields[ProfileValues.AS_OF] = "86400000";
        fields[ProfileValues.TOP_CATEGORY] = "toys";
        fields[ProfileValues.SLOTS] = "active";
        out.writeInt(fields.length);
        for (String f : fields) {
            out.writeBoolean(f != null);
            if (f != null) {
                Strings.write(out, f);
            }
        }
        out.writeInt(-1); // rfm
        out.writeInt(0); // traits
        out.writeInt(1); // tags
        Strings.write(out, "vip");
        out.writeInt(0); // segments
        out.writeLong(3); // rules version
        out.writeInt(0); // triggers
        out.writeInt(4); // scores, as the fields' text
        Strings.write(out, "score.purchase");
        Strings.write(out, "0.5");
        Strings.write(out, "model.purchase");
        Strings.write(out, "42");
        Strings.write(out, "reasons.purchase");
        Strings.write(out, "orders_90d:+1.25");
        Strings.write(out, "score.marketing");
        Strings.write(out, "640");
        out.writeInt(1); // learning, inline
        Strings.write(out, "purchase");
        out.writeInt(snapshots.length);
        out.write(snapshots);
        out.flush();

        DecisionState s = read(b.toByteArray());
        assertThat(s.values.render()).containsExactly(fields);
        assertThat(s.values.asOf()).isEqualTo(86_400_000L);
        assertThat(s.values.lifecycle()).isEqualTo(LifecycleStage.ACTIVE);
        assertThat(s.tags).containsExactly("vip");
        assertThat(s.rulesVersion).isEqualTo(3);
        // the reasons' key is not known: they are written again at the next scoring
        assertThat(s.scores)
                .containsExactly(Map.entry("purchase", new WrittenScore(0.5, 42, null)));
        assertThat(s.marketing).isEqualTo(640);
        assertThat(s.unmovedSnapshots.get("purchase")).isEqualTo(snapshots);
        assertThat(s.learning.get("purchase")).isEqualTo(new LearningHead(17 * DAY, 2, 10 * DAY));

        // and it is written on in the new format, snapshots still there until moved
        DecisionState again = read(bytes(s));
        assertThat(again.unmovedSnapshots.get("purchase")).isEqualTo(snapshots);
        assertThat(again.learning).isEqualTo(s.learning);
    }

    @Test
    void theHeadSaysWhenTheSnapshotsMustBeRead() throws IOException {
        LabelSpec purchase = LabelSpec.defaultFor("purchase");
        long spacing = 7 * DAY;
        long horizon = purchase.horizonMillis();
        LearningHead h = LearningHead.ofEncoded(labeler(purchase));
        assertThat(h).isEqualTo(new LearningHead(17 * DAY, 2, 10 * DAY));
        // within the spacing, nothing due, no order: idle
        assertThat(h.idle(18 * DAY, false, spacing, horizon)).isTrue();
        // an order must be counted by the waiting snapshots
        assertThat(h.idle(18 * DAY, true, spacing, horizon)).isFalse();
        // spacing passed: a new snapshot is taken
        assertThat(h.idle(24 * DAY, false, spacing, horizon)).isFalse();
        // the oldest is due (taken at day 10, horizon 30 days)
        LearningHead late = new LearningHead(39 * DAY, 1, 10 * DAY);
        assertThat(late.idle(40 * DAY - 1, false, spacing, horizon)).isTrue();
        assertThat(late.idle(40 * DAY, false, spacing, horizon)).isFalse();
        assertThat(new LearningHead(39 * DAY, 1, 11 * DAY).idle(40 * DAY, false, spacing, horizon))
                .isTrue();
        // nothing waiting: an order changes nothing
        assertThat(
                        new LearningHead(17 * DAY, 0, Long.MAX_VALUE)
                                .idle(18 * DAY, true, spacing, horizon))
                .isTrue();
        // never taken
        assertThat(
                        new LearningHead(Long.MIN_VALUE, 0, Long.MAX_VALUE)
                                .idle(0, false, spacing, horizon))
                .isFalse();
    }

    /** What the rules see: every part of the state, typed, with fresh or written probabilities. */
    @Test
    void theFactsOfAStateAreItsFeaturesLifecycleConsentScoresRfmAndTraits() {
        ProfileValues values = new ProfileValues();
        values.set(ProfileValues.AS_OF, 86_400_000L);
        values.set(ProfileValues.ORDERS_TOTAL, 3);
        values.set(ProfileValues.CONSENT_MARKETING, 1);
        values.set(ProfileValues.CONSENT_PERSONALIZATION, 0);
        values.setTopCategory("toys");
        values.setLifecycle(LifecycleStage.ACTIVE);
        DecisionState s = DecisionStates.withEveryPart(values);

        RuleFacts written = s.facts();
        assertThat(written.features())
                .containsEntry("orders_total", 3L)
                .containsEntry("top_category_30d", "toys")
                .doesNotContainKey("revenue_total");
        assertThat(written.lifecycle()).isEqualTo("active");
        assertThat(written.consent())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("marketing", true, "personalization", false));
        assertThat(written.scores())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("purchase", 0.25, "churn", 0.125, "marketing", 815L));
        assertThat(written.rfm())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("r", 5L, "f", 4L, "m", 3L, "segment", "champions"));
        assertThat(written.traits()).containsExactly(Map.entry("plan", "gold"));

        // probabilities just computed replace the written ones; NaN: the model is not there
        RuleFacts fresh = s.facts(new double[] {0.5, Double.NaN});
        assertThat(fresh.scores())
                .containsExactlyInAnyOrderEntriesOf(Map.of("purchase", 0.5, "marketing", 815L));
    }

    /**
     * The features the rules see are a view over the values: against the map made one feature at a
     * time through {@link RuleFacts.Builder#feature}, for random values of every slot.
     */
    @Test
    void theFeaturesViewEqualsTheFeaturesSetOneByOne() throws RuleSetException {
        // each evaluated by CEL (over the features as its struct type) and directly
        List<String> conditions =
                List.of(
                        "f.orders_total > 2",
                        "has(f.revenue_total) && f.revenue_total > 10.0",
                        "f.top_category_30d == 'c1'",
                        "f.top_category_30d.startsWith('c')",
                        "has(f.refunds_total) || !has(f.avg_order_value)",
                        "f.orders_total + f.orders_90d > 3 || f.avg_order_value < 100.0");
        StringBuilder yaml = new StringBuilder("tenant: t\nversion: 1\ntriggers:\n");
        for (int i = 0; i < conditions.size(); i++) {
            yaml.append("  - name: t")
                    .append(i)
                    .append("\n    when: \"")
                    .append(conditions.get(i))
                    .append("\"\n    action: a\n    channel: c\n");
        }
        CompiledRules rules = CompiledRules.compile(yaml.toString());
        java.util.Random r = new java.util.Random(7);
        java.util.List<String> fields = io.rtcdp.udf.profile.ProfileFields.FEATURE_FIELDS;
        for (int round = 0; round < 500; round++) {
            ProfileValues values = new ProfileValues();
            RuleFacts.Builder oneByOne = RuleFacts.builder();
            for (int i = 0; i < fields.size(); i++) {
                if (r.nextInt(3) == 0) {
                    continue;
                }
                String field = fields.get(i);
                RuleSchema.Kind kind =
                        field.startsWith("f.") ? RuleSchema.FEATURES.get(field.substring(2)) : null;
                if (i == ProfileValues.TOP_CATEGORY) {
                    String category = r.nextBoolean() ? "" : "c" + r.nextInt(5);
                    values.setTopCategory(category);
                    if (!category.isEmpty()) {
                        oneByOne.feature(field, category);
                    }
                    continue;
                }
                long unscaled = r.nextInt(2_000_001) - 1_000_000L;
                values.set(i, unscaled);
                if (kind == RuleSchema.Kind.INT) {
                    oneByOne.feature(field, unscaled);
                } else if (kind == RuleSchema.Kind.DOUBLE) {
                    oneByOne.feature(field, Double.parseDouble(values.text(i)));
                }
            }
            DecisionState s = new DecisionState();
            s.values = values;
            Map<String, Object> view = s.facts().features();
            Map<String, Object> expected = oneByOne.build().features();
            assertThat(view).isEqualTo(expected);
            assertThat(new java.util.HashMap<>(view)).isEqualTo(expected);
            for (String name : RuleSchema.FEATURES.keySet()) {
                assertThat(view.get(name)).as(name).isEqualTo(expected.get(name));
                assertThat(view.containsKey(name)).isEqualTo(expected.containsKey(name));
            }
            RuleFacts viewed = s.facts();
            RuleFacts set = oneByOne.lifecycle(viewed.lifecycle()).build();
            for (int i = 0; i < conditions.size(); i++) {
                for (boolean direct : new boolean[] {false, true}) {
                    assertThat(rules.testTrigger(i, direct, viewed, List.of(), List.of(), null))
                            .as("%s, direct %s, over %s", conditions.get(i), direct, expected)
                            .isEqualTo(
                                    rules.testTrigger(i, direct, set, List.of(), List.of(), null));
                }
            }
        }
        DecisionState s = new DecisionState();
        s.values = new ProfileValues();
        Map<String, Object> empty = s.facts().features();
        assertThat(empty).isEmpty();
        assertThat(empty.get("no_such_feature")).isNull();
        assertThat(empty.get(null)).isNull();
        assertThat(empty.get(3)).isNull();
    }

    @Test
    void aProfileKeepsABoundedNumberOfTraits() throws IOException {
        DecisionState s = new DecisionState();
        Map<String, String> many = new java.util.TreeMap<>();
        for (int i = 0; i < DecisionState.MAX_TRAITS + 10; i++) {
            many.put(String.format("t%03d", i), "v");
        }
        assertThat(s.putTraits(many)).isEqualTo(10);
        assertThat(s.traits).hasSize(DecisionState.MAX_TRAITS);
        // a known trait still takes its latest value; a new one is still left out
        assertThat(s.putTraits(Map.of("t000", "w", "zzz", "v"))).isEqualTo(1);
        assertThat(s.traits).containsEntry("t000", "w").doesNotContainKey("zzz");
        assertThat(read(bytes(s))).isEqualTo(s);
    }
}
