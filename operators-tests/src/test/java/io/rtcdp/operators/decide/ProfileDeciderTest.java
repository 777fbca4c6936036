package io.rtcdp.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.ProfileUpdater;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.rules.ContactMessage;
import io.rtcdp.udf.rules.Trigger;
import io.rtcdp.udf.testing.Events;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The decision stage in a test harness: next-best-action, segment sets, re-evaluation. */
class ProfileDeciderTest {
    static final long T0 = 1_700_000_000_000L;

    KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> h;

    @BeforeEach
    void open() throws Exception {
        h = harness();
        h.open();
    }

    static KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> harness()
            throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(
                        new ProfileDecider(), List.of(ProfileDecider.RULES, ProfileDecider.MODELS)),
                ProfileDecider.KEY,
                Types.STRING,
                1,
                1,
                0);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static ProfileChange change(String oneid, String name, long ts, long revenue) {
        String[] fields = new String[ProfileUpdater.FIELDS.size()];
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.AS_OF)] = Long.toString(ts);
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.EVENTS_TOTAL)] = "1";
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.REVENUE_TOTAL)] = Long.toString(revenue);
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.CONSENT_MARKETING)] = "1";
        Event e = Events.track(name).tenant("t").at(ts).channel("web").userId(oneid).build();
        ProfileUpdate u =
                new ProfileUpdate(
                        "t", oneid, 1, false, Map.of("f.events_total", "1"), List.of(), List.of());
        return new ProfileChange("t", oneid, u, ProfileValues.parse(fields), e, null);
    }

    private List<Trigger> triggers() {
        return h.getSideOutput(ProfileDecider.TRIGGERS) == null
                ? List.of()
                : h.getSideOutput(ProfileDecider.TRIGGERS).stream()
                        .map(StreamRecord::getValue)
                        .filter(m -> m.kind() == ContactMessage.Kind.TRIGGER)
                        .map(ContactMessage::trigger)
                        .toList();
    }

    /** What the contact stage gets besides triggers (merges' hand-overs and absorbs). */
    private List<ContactMessage> contactMessages() {
        return h.getSideOutput(ProfileDecider.TRIGGERS) == null
                ? List.of()
                : h.getSideOutput(ProfileDecider.TRIGGERS).stream()
                        .map(StreamRecord::getValue)
                        .filter(m -> m.kind() != ContactMessage.Kind.TRIGGER)
                        .toList();
    }

    private List<ProfileUpdate> updates() {
        return h.extractOutputValues();
    }

    @Test
    void onlyTheTriggerOfHighestExpectedValueIsEmitted() throws Exception {
        h.processBroadcastElement(
                "tenant: t\nversion: 1\ntriggers:\n"
                        + "  - {name: small, when: \"event.name == 'product_added'\","
                        + " action: a1, channel: app, value: 5.0, cost: 1.0}\n"
                        + "  - {name: big, when: \"event.name == 'product_added'\","
                        + " action: a2, channel: sms, value: 20.0, cost: 2.0}\n"
                        + "  - {name: other, when: \"event.name == 'search'\","
                        + " action: a3, channel: app}\n",
                0);
        h.processElement(change("o1", "product_added", T0, 0), T0);
        assertThat(triggers()).extracting(Trigger::rule).containsExactly("big");
        // the suppressed rule kept no fire: with no cooldown it fires alone next time it is best
        h.processElement(change("o1", "search", T0 + 1000, 0), T0);
        assertThat(triggers()).extracting(Trigger::rule).containsExactly("big", "other");
        // deterministic ids: rule, profile and cause
        assertThat(triggers().get(0).triggerId())
                .isEqualTo(io.rtcdp.udf.rules.TriggerIds.of("t", "big", "o1", "e-" + T0));
    }

    @Test
    void aProfileThatAbsorbedAnotherSendsItsHistoryAndThenCandidatesBestFirst() throws Exception {
        h.processBroadcastElement(
                "tenant: t\nversion: 1\ntriggers:\n"
                        + "  - {name: small, when: \"event.name == 'product_added'\","
                        + " action: a1, channel: app, value: 5.0, cost: 1.0, cooldown: 1h}\n"
                        + "  - {name: big, when: \"event.name == 'product_added'\","
                        + " action: a2, channel: sms, value: 20.0, cost: 2.0, cooldown: 1h}\n",
                0);
        h.processElement(change("o1", "product_added", T0, 0), T0);
        assertThat(triggers()).extracting(Trigger::rule).containsExactly("big");
        ProfileChange c = change("o1", "product_added", T0 + 1000, 0);
        h.processElement(
                new ProfileChange(
                        c.tenant(),
                        c.oneid(),
                        c.update(),
                        c.values(),
                        c.cause(),
                        c.rfm(),
                        c.pending(),
                        c.rec(),
                        null,
                        List.of("x")),
                T0);
        // the absorb goes first, with o1's own history; then both rules as candidates, best
        // first, their cooldowns left to the contact stage (big is inside its own here)
        List<ContactMessage> sent = contactMessages();
        assertThat(sent)
                .extracting(ContactMessage::kind)
                .containsExactly(ContactMessage.Kind.ABSORBING, ContactMessage.Kind.CANDIDATES);
        assertThat(sent.get(0).other()).isEqualTo("x");
        assertThat(sent.get(0).states().get("big").lastFire()).isEqualTo(T0);
        assertThat(sent.get(1).candidates())
                .extracting(k -> k.trigger().rule(), ContactMessage.Candidate::cooldownMs)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("big", 3_600_000L),
                        org.assertj.core.groups.Tuple.tuple("small", 3_600_000L));
        // a later absorb does not send the history again: it is with the contact stage now
        h.processElement(
                new ProfileChange(
                        c.tenant(),
                        c.oneid(),
                        c.update(),
                        c.values(),
                        null,
                        c.rfm(),
                        c.pending(),
                        c.rec(),
                        null,
                        List.of("y")),
                T0);
        assertThat(contactMessages().get(2).states()).isNull();
    }

    @Test
    void aNewRuleSetReachesEveryProfileAndItsSegmentSets() throws Exception {
        h.processBroadcastElement(
                "tenant: t\nversion: 1\ntags:\n  - {name: spender, when: \"f.revenue_total >= 100.0\"}\n"
                        + "segments:\n  - {name: vip, when: \"'spender' in tags\"}\n",
                0);
        h.processElement(change("o1", "order_completed", T0, 150), T0);
        h.processElement(change("o2", "order_completed", T0, 50), T0);
        ProfileUpdate o1 = updates().get(0);
        assertThat(o1.set()).containsEntry("tags", "spender").containsEntry("segments", "vip");
        assertThat(o1.segments()).isEqualTo(Map.of("vip", true));
        h.getOutput().clear();

        // v2: the tag is renamed, vip needs more, a new segment for everyone
        h.processBroadcastElement(
                "tenant: t\nversion: 2\ntags:\n  - {name: big_spender, when: \"f.revenue_total >= 100.0\"}\n"
                        + "segments:\n  - {name: vip, when: \"f.revenue_total >= 1000.0\"}\n"
                        + "  - {name: everyone, when: \"true\"}\n",
                0);
        Map<String, ProfileUpdate> byProfile = new java.util.HashMap<>();
        for (ProfileUpdate u : updates()) {
            byProfile.put(u.oneid(), u);
        }
        assertThat(byProfile.get("o1").set())
                .containsEntry("tags", "big_spender")
                .containsEntry("segments", "everyone");
        assertThat(byProfile.get("o1").segments())
                .isEqualTo(Map.of("vip", false, "everyone", true));
        assertThat(byProfile.get("o2").segments()).isEqualTo(Map.of("everyone", true));
        h.getOutput().clear();

        // v3 arrives before o1 changes again: its diff starts from what v2 wrote
        h.processBroadcastElement(
                "tenant: t\nversion: 3\nsegments:\n  - {name: vip, when: \"true\"}\n", 0);
        byProfile.clear();
        for (ProfileUpdate u : updates()) {
            byProfile.put(u.oneid(), u);
        }
        assertThat(byProfile.get("o1").unset()).contains("tags");
        assertThat(byProfile.get("o1").segments())
                .isEqualTo(Map.of("everyone", false, "vip", true));
        h.getOutput().clear();

        // o1 is merged away: it leaves the segment sets v3 put it in
        ProfileUpdate drop =
                new ProfileUpdate("t", "o1", 0, true, Map.of(), List.of(), List.of(), "o9");
        h.processElement(new ProfileChange("t", "o1", drop, null, null, null), T0);
        assertThat(updates().get(0).segments()).isEqualTo(Map.of("vip", false));
        // its state is gone: a change of o1 now starts from nothing (all memberships written)
        h.getOutput().clear();
        h.processElement(change("o1", "search", T0 + 1, 0), T0);
        assertThat(updates().get(0).segments()).isEqualTo(Map.of("vip", true));
    }

    @Test
    void aForgottenProfileLeavesItsSegmentsAndWithdrawsItsTriggersAMergedOneDoesNot()
            throws Exception {
        h.processBroadcastElement(
                "tenant: t\nversion: 1\nsegments:\n  - {name: all, when: \"true\"}\n"
                        + "triggers:\n  - {name: hi, when: \"event.name == 'search'\","
                        + " action: a, channel: app}\n",
                0);
        h.processElement(change("o1", "search", T0, 0), T0);
        h.processElement(change("o2", "search", T0, 0), T0);
        assertThat(triggers()).extracting(Trigger::oneid).containsExactly("o1", "o2");
        h.getOutput().clear();
        ProfileUpdate drop =
                new ProfileUpdate("t", "o2", 0, true, Map.of(), List.of(), List.of(), "o9");
        h.processElement(new ProfileChange("t", "o2", drop, null, null, null), T0);
        ProfileUpdate forget =
                new ProfileUpdate("t", "o1", 0, true, Map.of(), List.of(), List.of());
        h.processElement(new ProfileChange("t", "o1", forget, null, null, null), T0);
        assertThat(updates())
                .extracting(ProfileUpdate::oneid, ProfileUpdate::segments)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("o2", Map.of("all", false)),
                        org.assertj.core.groups.Tuple.tuple("o1", Map.of("all", false)));
        assertThat(triggers()).hasSize(3);
        // the merged one's contact history goes to the contact stage, to join the survivor's
        assertThat(contactMessages())
                .singleElement()
                .satisfies(
                        m -> {
                            assertThat(m.kind()).isEqualTo(ContactMessage.Kind.HAND_OVER);
                            assertThat(m.oneid()).isEqualTo("o2");
                            assertThat(m.other()).isEqualTo("o9");
                            assertThat(m.states().get("hi").lastFire()).isEqualTo(T0);
                        });
        Trigger retraction = triggers().get(2);
        assertThat(retraction.isRetraction()).isTrue();
        assertThat(retraction.oneid()).isEqualTo("o1");
        assertThat(retraction.toJson()).isNull();
        // its state is gone: a change of o1 now starts from nothing (all memberships written)
        h.getOutput().clear();
        h.processElement(change("o1", "search2", T0 + 1, 0), T0);
        assertThat(updates().get(0).segments()).isEqualTo(Map.of("all", true));
    }

    private static final long DAY = 86_400_000L;

    /** A model of the default features whose scores do not matter here. */
    static String model(String name) throws Exception {
        io.rtcdp.udf.ml.ModelSpec spec = io.rtcdp.udf.ml.ModelSpec.defaults(name);
        int n = spec.features().size();
        double[] c = new double[n + 1];
        c[0] = 0.1;
        return io.rtcdp.udf.ml.ModelMessages.encode(
                "t",
                new io.rtcdp.udf.ml.LogisticModel(
                        spec, 1, io.rtcdp.udf.ml.Standardization.identity(n), c, 0, Map.of()));
    }

    private record Labelled(String model, long ts, int label) {}

    private List<Labelled> labelled(
            KeyedBroadcastOperatorTestHarness<String, ProfileChange, String, ProfileUpdate> on) {
        var out = on.getSideOutput(ProfileDecider.LABELLED);
        return out == null
                ? List.of()
                : out.stream()
                        .map(StreamRecord::getValue)
                        .map(l -> new Labelled(l.model(), l.ts(), l.label()))
                        .toList();
    }

    /**
     * Online learning in the decision stage against an independent labelling: a snapshot when a
     * week has passed since the last, labelled once its horizon has passed in the profile's event
     * time (purchase: an order in (t, t + 30 d]; churn: none in (t, t + 90 d]). The same with the
     * operator snapshotted and restored halfway, so the snapshots kept apart from the profile's
     * state survive it.
     */
    @Test
    void learningSnapshotsAreLabelledOnceTheirHorizonPassedAlsoAcrossARestore() throws Exception {
        // an update every 3 days for 300 days; orders every 9 days until day 120, then at 200
        List<long[]> updates = new java.util.ArrayList<>();
        java.util.TreeSet<Long> orders = new java.util.TreeSet<>();
        for (int d = 0; d <= 300; d += 3) {
            boolean order = (d <= 120 && d % 9 == 0) || d == 201;
            updates.add(new long[] {T0 + d * DAY, order ? 1 : 0});
            if (order) {
                orders.add(T0 + d * DAY);
            }
        }
        // the oracle
        List<Labelled> expected = new java.util.ArrayList<>();
        for (String name : ProfileDecider.MODEL_NAMES) {
            long horizon = (name.equals("purchase") ? 30 : 90) * DAY;
            List<Long> taken = new java.util.ArrayList<>();
            long last = Long.MIN_VALUE;
            for (long[] u : updates) {
                if (last == Long.MIN_VALUE || u[0] - last >= ProfileDecider.SNAPSHOT_SPACING) {
                    taken.add(u[0]);
                    last = u[0];
                }
            }
            long lastUpdate = updates.get(updates.size() - 1)[0];
            for (long t : taken) {
                if (t + horizon > lastUpdate) {
                    continue; // not due yet
                }
                Long next = orders.higher(t);
                boolean ordered = next != null && next <= t + horizon;
                int label = name.equals("purchase") == ordered ? 1 : 0;
                expected.add(new Labelled(name, t, label));
            }
        }
        java.util.Comparator<Labelled> order =
                java.util.Comparator.comparing(Labelled::model).thenComparing(Labelled::ts);
        expected.sort(order);
        assertThat(expected).hasSizeGreaterThan(50);
        assertThat(expected).extracting(Labelled::label).contains(0, 1);

        // uninterrupted
        h.processBroadcastElement(model("purchase"), 0);
        h.processBroadcastElement(model("churn"), 0);
        for (long[] u : updates) {
            h.processElement(
                    change("o1", u[1] == 1 ? "order_completed" : "product_viewed", u[0], 0), u[0]);
        }
        assertThat(labelled(h).stream().sorted(order).toList()).isEqualTo(expected);

        // restored halfway
        var a = harness();
        a.open();
        a.processBroadcastElement(model("purchase"), 0);
        a.processBroadcastElement(model("churn"), 0);
        int half = updates.size() / 2;
        for (long[] u : updates.subList(0, half)) {
            a.processElement(
                    change("o1", u[1] == 1 ? "order_completed" : "product_viewed", u[0], 0), u[0]);
        }
        List<Labelled> before = labelled(a);
        var snapshot = a.snapshot(1, 0);
        a.close();
        var b = harness();
        b.initializeState(snapshot);
        b.open();
        for (long[] u : updates.subList(half, updates.size())) {
            b.processElement(
                    change("o1", u[1] == 1 ? "order_completed" : "product_viewed", u[0], 0), u[0]);
        }
        List<Labelled> all = new java.util.ArrayList<>(before);
        all.addAll(labelled(b));
        b.close();
        assertThat(all.stream().sorted(order).toList()).isEqualTo(expected);
    }

    @Test
    void aRestoredRuleSetThatNoLongerCompilesIsDroppedNotACrashLoop() throws Exception {
        h.processBroadcastElement(
                "tenant: t\nversion: 3\ntags:\n  - {name: any, when: \"f.events_total >= 1.0\"}\n",
                0);
        // what a checkpoint of an older jar may hold that this jar no longer takes
        h.getBroadcastState(ProfileDecider.RULES)
                .put("t", "tenant: t\nversion: 4\ntags:\n  - {name: x, when: \"no_such(\"}\n");
        h.getBroadcastState(ProfileDecider.MODELS).put("t/purchase", "not a model");
        var snapshot = h.snapshot(1, 1);
        h.close();

        h = harness();
        h.initializeState(snapshot);
        h.open();
        h.processElement(change("o1", "order_completed", T0, 150), T0);
        assertThat(updates()).hasSize(1);
        assertThat(updates().get(0).set())
                .doesNotContainKey("tags")
                .doesNotContainKey("score.purchase");
        assertThat(h.getSideOutput(io.rtcdp.operators.RecordIsolation.INTERNAL_ERRORS))
                .isNullOrEmpty();
        // the tenant's next rule set is taken, whatever its version
        h.processBroadcastElement(
                "tenant: t\nversion: 1\ntags:\n  - {name: any, when: \"f.events_total >= 1.0\"}\n",
                0);
        assertThat(updates())
                .last()
                .satisfies(u -> assertThat(u.set()).containsEntry("tags", "any"));
    }

    @Test
    void aVersionTooFarAboveTheOneInForceIsRefusedAndDoesNotPinTheTenant() throws Exception {
        h.processBroadcastElement(
                "tenant: t\nversion: 5\ntags:\n  - {name: any, when: \"f.events_total >= 1.0\"}\n",
                0);
        h.processElement(change("o1", "order_completed", T0, 150), T0);
        h.getOutput().clear();

        // a forged or mistyped version: it would have pinned the tenant, no later one being higher
        h.processBroadcastElement(
                "tenant: t\nversion: "
                        + Long.MAX_VALUE
                        + "\ntags:\n  - {name: pinned, when: \"true\"}\n",
                0);
        assertThat(updates()).as("nothing re-evaluated").isEmpty();
        assertThat(h.getBroadcastState(ProfileDecider.RULES).get("t")).contains("version: 5");

        // the next ordinary version is taken
        h.processBroadcastElement(
                "tenant: t\nversion: 6\ntags:\n  - {name: six, when: \"true\"}\n", 0);
        assertThat(updates())
                .singleElement()
                .satisfies(u -> assertThat(u.set()).containsEntry("tags", "six"));
    }

    @Test
    void theStepIsConfigurable() throws Exception {
        h.close();
        h =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new ProfileDecider()
                                        .versionStep(new io.rtcdp.udf.rules.VersionStep(10)),
                                List.of(ProfileDecider.RULES, ProfileDecider.MODELS)),
                        ProfileDecider.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        h.open();
        h.processBroadcastElement("tenant: t\nversion: 11\n", 0);
        assertThat(h.getBroadcastState(ProfileDecider.RULES).get("t")).as("11 above none").isNull();
        h.processBroadcastElement("tenant: t\nversion: 10\n", 0);
        h.processBroadcastElement("tenant: t\nversion: 21\n", 0);
        assertThat(h.getBroadcastState(ProfileDecider.RULES).get("t")).contains("version: 10");
        h.processBroadcastElement("tenant: t\nversion: 20\n", 0);
        assertThat(h.getBroadcastState(ProfileDecider.RULES).get("t")).contains("version: 20");
    }

    @Test
    void aRuleSetReevaluatesOnlyItsTenantsProfiles() throws Exception {
        h.processElement(change("o1", "order_completed", T0, 150), T0);
        Event e =
                Events.track("order_completed")
                        .tenant("u")
                        .at(T0)
                        .channel("web")
                        .userId("o2")
                        .build();
        String[] fields = new String[ProfileUpdater.FIELDS.size()];
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.AS_OF)] = Long.toString(T0);
        fields[ProfileUpdater.FIELDS.indexOf(ProfileFields.EVENTS_TOTAL)] = "1";
        h.processElement(
                new ProfileChange(
                        "u",
                        "o2",
                        new ProfileUpdate("u", "o2", 1, false, Map.of(), List.of(), List.of()),
                        ProfileValues.parse(fields),
                        e,
                        null),
                T0);
        h.getOutput().clear();

        h.processBroadcastElement(
                "tenant: t\nversion: 1\ntags:\n  - {name: any, when: \"true\"}\n", 0);
        assertThat(updates()).extracting(ProfileUpdate::tenant).containsExactly("t");
    }

    private static ProfileChange withTraits(String oneid, long ts, Map<String, String> traits) {
        ProfileChange c = change(oneid, "page_view", ts, 0);
        Event e =
                Events.track("page_view")
                        .tenant("t")
                        .at(ts)
                        .channel("web")
                        .userId(oneid)
                        .traits(traits)
                        .build();
        // the profile stage sends the profile's traits with the change of an event that has some
        return new ProfileChange(
                c.tenant(),
                c.oneid(),
                c.update(),
                c.values(),
                e,
                null,
                0,
                null,
                traits.isEmpty() ? null : traits,
                null);
    }

    /**
     * The start-up rule sets and models are in force before they arrive over the broadcast edge: a
     * change that comes first keeps its declared traits, fires its event-driven trigger and is
     * scored, and their arrival then applies nothing again. Without them (another harness) the same
     * change is decided without rules or scores.
     */
    @Test
    void theStartUpRuleSetsAreInForceBeforeTheyArrive() throws Exception {
        String rules =
                "tenant: t\nversion: 4\ntraits: [member_level]\ntags:\n"
                        + "  - {name: gold, when: \"traits.member_level == 'gold'\"}\n"
                        + "triggers:\n"
                        + "  - {name: hello, when: \"event.name == 'page_view'\", action: a,"
                        + " channel: c}\n";
        io.rtcdp.udf.ml.ModelSpec spec = io.rtcdp.udf.ml.ModelSpec.defaults("purchase");
        int d = spec.features().size();
        String model =
                io.rtcdp.udf.ml.ModelMessages.encode(
                        "*",
                        new io.rtcdp.udf.ml.LogisticModel(
                                spec,
                                1,
                                io.rtcdp.udf.ml.Standardization.identity(d),
                                new double[d + 1],
                                0,
                                Map.of()));
        var started =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new ProfileDecider().startUp(List.of(rules, model, "")),
                                List.of(ProfileDecider.RULES, ProfileDecider.MODELS)),
                        ProfileDecider.KEY,
                        Types.STRING,
                        1,
                        1,
                        0);
        started.open();
        try {
            started.processElement(withTraits("o1", T0, Map.of("member_level", "gold")), T0);
            List<ProfileUpdate> out = started.extractOutputValues();
            assertThat(out.get(out.size() - 1).set())
                    .containsEntry("tags", "gold")
                    .containsEntry("score.purchase", "0.5");
            assertThat(started.getSideOutput(ProfileDecider.TRIGGERS))
                    .extracting(r -> r.getValue().trigger().rule())
                    .containsExactly("hello");
            started.getOutput().clear();
            started.processBroadcastElement(model, 0);
            started.processBroadcastElement(rules, 0);
            assertThat(started.extractOutputValues()).isEmpty();
            assertThat(started.getBroadcastState(ProfileDecider.MODELS).get("*/purchase"))
                    .isEqualTo(model);
            // and the set is in the broadcast state as if it had come first: the same version
            // again is ignored, a higher one applied
            started.processBroadcastElement(rules, 0);
            assertThat(started.extractOutputValues()).isEmpty();
            started.processBroadcastElement(
                    rules.replace("version: 4", "version: 5")
                            .replace("tags:\n", "tags:\n  - {name: any, when: \"true\"}\n"),
                    0);
            assertThat(started.extractOutputValues())
                    .singleElement()
                    .satisfies(u -> assertThat(u.set()).containsEntry("tags", "any,gold"));
        } finally {
            started.close();
        }

        h.processElement(withTraits("o1", T0, Map.of("member_level", "gold")), T0);
        assertThat(updates().get(updates().size() - 1).set())
                .doesNotContainKey("tags")
                .doesNotContainKey("score.purchase");
        assertThat(triggers()).isEmpty();
    }

    @Test
    void onlyTheTraitsTheRuleSetDeclaresAreKept() throws Exception {
        h.processBroadcastElement(
                "tenant: t\nversion: 1\ntraits: [member_level]\ntags:\n"
                        + "  - {name: gold, when: \"traits.member_level == 'gold'\"}\n",
                0);
        h.processElement(withTraits("o1", T0, Map.of("member_level", "gold", "name", "Alice")), T0);
        assertThat(updates().get(updates().size() - 1).set()).containsEntry("tags", "gold");
        h.getOutput().clear();
        // a rule set that reads name now: the name sent before the declaration was not kept
        h.processBroadcastElement(
                "tenant: t\nversion: 2\ntraits: [member_level, name]\ntags:\n"
                        + "  - {name: gold, when: \"traits.member_level == 'gold'\"}\n"
                        + "  - {name: named, when: \"has(traits.name)\"}\n",
                0);
        h.processElement(withTraits("o1", T0 + 1000, Map.of()), T0);
        assertThat(updates().get(updates().size() - 1).set().get("tags"))
                .isNotEqualTo("gold,named");
        h.processElement(withTraits("o1", T0 + 2000, Map.of("name", "Bob")), T0);
        assertThat(updates().get(updates().size() - 1).set()).containsEntry("tags", "gold,named");
        h.getOutput().clear();
        // a rule set that declares neither: both go at the profile's next change
        h.processBroadcastElement(
                "tenant: t\nversion: 3\ntraits: [city]\ntags:\n"
                        + "  - {name: only_city, when: \"traits.all(k, k == 'city')\"}\n",
                0);
        h.processElement(withTraits("o1", T0 + 3000, Map.of("city", "Paris")), T0);
        assertThat(updates().get(updates().size() - 1).set()).containsEntry("tags", "only_city");
    }

    /**
     * {@code rec.next} from the next-purchase stage: kept until the profile's first (whole) write,
     * then written whenever it changes, removed when it becomes empty.
     */
    @Test
    void nextPurchaseIsWrittenWithTheWholeProfileAndThenWhenItChanges() throws Exception {
        h.processElement(ProfileChange.ofRec("t", "o1", "a:1.5"), T0);
        assertThat(updates()).isEmpty();

        ProfileChange c = change("o1", "page_viewed", T0, 0);
        Map<String, String> whole = new java.util.HashMap<>(c.update().set());
        whole.put(ProfileFields.ONEID, "o1");
        h.processElement(
                new ProfileChange(
                        "t",
                        "o1",
                        c.update().withFields(whole, List.of()),
                        c.values(),
                        c.cause(),
                        null),
                T0);
        assertThat(updates()).hasSize(1);
        assertThat(updates().get(0).set()).containsEntry("rec.next", "a:1.5");
        h.getOutput().clear();

        h.processElement(change("o1", "page_viewed", T0 + 1, 0), T0 + 1);
        assertThat(updates()).hasSize(1);
        assertThat(updates().get(0).set()).doesNotContainKey("rec.next");
        h.getOutput().clear();

        h.processElement(ProfileChange.ofRec("t", "o1", "b:2"), T0 + 2);
        assertThat(updates()).hasSize(1);
        assertThat(updates().get(0).set()).containsExactly(Map.entry("rec.next", "b:2"));
        h.getOutput().clear();

        h.processElement(ProfileChange.ofRec("t", "o1", "b:2"), T0 + 3);
        assertThat(updates()).isEmpty();

        h.processElement(ProfileChange.ofRec("t", "o1", ""), T0 + 4);
        assertThat(updates()).hasSize(1);
        assertThat(updates().get(0).unset()).containsExactly("rec.next");
    }

    /** A rule that reads {@code rec} is evaluated again when {@code rec.next} changes. */
    @Test
    void rulesThatReadRecFollowIt() throws Exception {
        h.processBroadcastElement(
                """
                tenant: t
                version: 1
                tags:
                  - {name: suggests_lights, when: "'85123A' in rec"}
                """,
                T0);
        h.processElement(change("o1", "page_viewed", T0, 0), T0);
        h.getOutput().clear();
        h.processElement(ProfileChange.ofRec("t", "o1", "22423:2,85123A:1"), T0 + 1);
        assertThat(updates()).hasSize(1);
        assertThat(updates().get(0).set())
                .containsEntry("rec.next", "22423:2,85123A:1")
                .containsEntry("tags", "suggests_lights");
        h.getOutput().clear();
        h.processElement(ProfileChange.ofRec("t", "o1", "22423:2"), T0 + 2);
        assertThat(updates()).hasSize(1);
        assertThat(updates().get(0).set()).containsEntry("rec.next", "22423:2");
        assertThat(updates().get(0).unset()).contains("tags");
    }
}
