package io.rtcdp.operators.types;

import io.rtcdp.operators.decide.LabelledExample;
import io.rtcdp.operators.decide.TrainerState;
import io.rtcdp.operators.identity.ConflictSerializer;
import io.rtcdp.operators.identity.FragmentStore;
import io.rtcdp.operators.identity.IdentityResolver;
import io.rtcdp.operators.profile.ItemOrder;
import io.rtcdp.operators.profile.ItemOrderSerializer;
import io.rtcdp.operators.profile.ItemsObservation;
import io.rtcdp.operators.profile.ItemsObservationSerializer;
import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.operators.profile.RfmObservation;
import io.rtcdp.operators.sink.ProfileUpdate;
import io.rtcdp.operators.sink.ProfileUpdateSerializer;
import io.rtcdp.udf.event.DeadLetter;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.identity.Conflict;
import io.rtcdp.udf.identity.FragmentCommand;
import io.rtcdp.udf.identity.OneIdInfo;
import io.rtcdp.udf.lifecycle.LifecycleStage;
import io.rtcdp.udf.ml.FtrlTrainer;
import io.rtcdp.udf.ml.ModelSpec;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.profile.ProfileFeatures;
import io.rtcdp.udf.profile.ProfileState;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.rec.PurchasedItems;
import io.rtcdp.udf.rules.ContactMessage;
import io.rtcdp.udf.rules.ContactRecord;
import io.rtcdp.udf.rules.DecisionState;
import io.rtcdp.udf.rules.Trigger;
import io.rtcdp.udf.rules.TriggerState;
import io.rtcdp.udf.testing.DecisionStates;
import io.rtcdp.udf.text.TextIntent;
import io.rtcdp.udf.text.TextSentiment;
import io.rtcdp.udf.text.TextSignal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Every hand-written serializer of the job with a few representative values, for {@link
 * SerializerContractTest}. The values are fixed (constant times, seeded randomness, ordered maps),
 * so they serialize to the same bytes on every run: the golden files are those bytes. A value
 * changed here changes the golden bytes of the current version, so change them only together with a
 * new format version (docs/operations.md, "Upgrading state: serializer versions").
 */
public final class SerializerSamples {
    static final long T0 = 1_700_000_000_000L;
    static final long DAY = 86_400_000L;

    /**
     * One serializer under test.
     *
     * @param name the directory of its golden files
     * @param same how a value read back is compared with its sample
     */
    /**
     * @param asRestored what a sample restores to from the golden file of an older version (the
     *     version, the sample): the sample itself but where a newer format keeps more than the
     *     older one held
     */
    record Case<T>(
            String name,
            CodecSerializer<T> serializer,
            List<T> samples,
            Same same,
            java.util.function.BiFunction<Integer, T, T> asRestored) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** How a value read back is compared with its sample. */
    enum Same {
        /** By {@code equals}. */
        EQUALS,
        /**
         * Field by field: records over arrays, whose {@code equals} compares the arrays' identity.
         */
        FIELDS,
        /**
         * By the bytes the serializer writes for them: types without {@code equals} whose fields
         * include caches derived from the written state (the FTRL trainer's weights).
         */
        BYTES
    }

    private SerializerSamples() {}

    /** Events split for the identity stage: at places of origins, judged each way. */
    static List<io.rtcdp.operators.identity.IdentityEvent> identityEvents() {
        List<io.rtcdp.operators.identity.IdentityEvent> all = new ArrayList<>();
        long seq = 0;
        for (Event e : eventsWithText()) {
            all.add(io.rtcdp.operators.identity.IdentityEvent.of(e).at((int) seq % 3, seq));
            seq += 1_000_003;
        }
        var judged = io.rtcdp.operators.identity.IdentityEvent.of(eventsWithText().get(0));
        all.add(judged.at(7, Long.MAX_VALUE).duplicate());
        all.add(judged.at(65_537, 0).failed("stage dedupe failed on this record: boom"));
        return all;
    }

    static List<Case<?>> all() {
        return List.of(
                of(EventSerializer.INSTANCE, eventsWithText()),
                of(ParsedSerializer.INSTANCE, parsed()),
                of(ParsedSerializer.DeadLetterSerializer.INSTANCE, deadLetters()),
                of(ProfileCommandSerializer.INSTANCE, profileCommands()),
                of(FragmentCommandSerializer.INSTANCE, fragmentCommands()),
                of(io.rtcdp.operators.identity.IdentityEventSerializer.INSTANCE, identityEvents()),
                new Case<>(
                        "ProfileStateSerializer",
                        ProfileStateSerializer.INSTANCE,
                        profileStates(),
                        Same.EQUALS,
                        (v, st) -> {
                            if (v >= 9) {
                                return st;
                            }
                            ProfileState c = ProfileStateSerializer.INSTANCE.copy(st);
                            forgetNewerParts(v, c.features());
                            return c;
                        }),
                of(ProfileUpdateSerializer.INSTANCE, profileUpdates()),
                of(ProfileChangeSerializer.INSTANCE, profileChanges(), Same.FIELDS),
                of(RfmObservationSerializer.INSTANCE, rfmObservations()),
                of(DecisionStateSerializer.INSTANCE, decisionStates()),
                of(TriggerSerializer.INSTANCE, triggers()),
                of(ContactMessageSerializer.INSTANCE, contactMessages()),
                of(LearningMessageSerializer.INSTANCE, learningMessages()),
                of(ContactRecordSerializer.INSTANCE, contactRecords()),
                of(LabelledExampleSerializer.INSTANCE, labelledExamples(), Same.FIELDS),
                of(TrainerStateSerializer.INSTANCE, trainerStates(), Same.BYTES),
                of(ConflictSerializer.INSTANCE, conflicts()),
                new Case<>(
                        "FeaturesSerializer",
                        FragmentStore.FeaturesSerializer.INSTANCE,
                        features(),
                        Same.EQUALS,
                        SerializerSamples::asRestoredFeatures),
                of(IdentityResolver.OneIdInfoSerializer.INSTANCE, oneIdInfos()),
                of(ItemOrderSerializer.INSTANCE, itemOrders()),
                of(ItemsObservationSerializer.INSTANCE, itemsObservations()));
    }

    private static <T> Case<T> of(CodecSerializer<T> s, List<T> samples) {
        return of(s, samples, Same.EQUALS);
    }

    private static <T> Case<T> of(CodecSerializer<T> s, List<T> samples, Same same) {
        return new Case<>(s.getClass().getSimpleName(), s, samples, same, (v, t) -> t);
    }

    /**
     * Features as a version of their serializers held them: before 6 no order times, before 7 no
     * traits, before 8 no day buckets, before 9 no refunds and baskets.
     */
    private static ProfileFeatures asRestoredFeatures(int version, ProfileFeatures f) {
        if (version >= 9) {
            return f;
        }
        ProfileFeatures c = f.copy();
        forgetNewerParts(version, c);
        return c;
    }

    /**
     * Takes from {@code f} what a serializer version before 6 (order times), 7 (traits), 8 (day
     * buckets), 9 (refunds and baskets) lacked.
     */
    private static void forgetNewerParts(int version, ProfileFeatures f) {
        if (version < 6) {
            f.forgetOrderTimes();
        }
        if (version < 7) {
            f.forgetTraits();
        }
        if (version < 8) {
            f.forgetLongWindows();
        }
        if (version < 9) {
            f.forgetBreadth();
        }
    }

    static List<Event> events() {
        Map<String, String> traits = new LinkedHashMap<>();
        traits.put("city", "Zürich");
        traits.put("plan", "gold");
        return List.of(
                new Event(
                        "acme",
                        "e-1",
                        EventType.TRACK,
                        "order_completed",
                        T0,
                        "web",
                        List.of(new Id("user_id", "u1"), new Id("cookie_id", "c1")),
                        12_500_000L,
                        "shoes",
                        "o-1",
                        List.of(),
                        true,
                        false,
                        traits,
                        "{\"coupon\":\"X\"}",
                        T0 + 120,
                        null),
                new Event(
                        "acme",
                        "e-2",
                        EventType.PAGE,
                        null,
                        T0 + DAY,
                        null,
                        List.of(new Id("cookie_id", "c1")),
                        null,
                        null,
                        null,
                        List.of(),
                        null,
                        null,
                        Map.of(),
                        null,
                        0L,
                        null),
                new Event(
                        "globex",
                        "e-3",
                        EventType.IDENTIFY,
                        null,
                        T0 + 2 * DAY,
                        "app",
                        List.of(new Id("email", "ab".repeat(32))),
                        null,
                        null,
                        null,
                        List.of(),
                        null,
                        true,
                        Map.of("name", "新客"),
                        null,
                        T0 + 2 * DAY + 5,
                        null));
    }

    /**
     * {@link #events()} and, at the end (added with version 4), orders with order lines: only the
     * event serializer's samples, so that the features built from {@link #events()} stay as their
     * golden files hold them.
     */
    public static List<Event> eventsWithItems() {
        List<Event> events = new ArrayList<>(events());
        events.add(
                new Event(
                        "acme",
                        "e-4",
                        EventType.TRACK,
                        "order_completed",
                        T0 + 3 * DAY,
                        "web",
                        List.of(new Id("user_id", "u1")),
                        27_490_000L,
                        null,
                        "o-4",
                        List.of(
                                new OrderItem("85123A", "lights", 3, 2_550_000L),
                                new OrderItem("22423", null, 1, 12_750_000L),
                                new OrderItem("85123A", "lights", 2, 2_550_000L),
                                new OrderItem("礼品-1", null, 1_000_000_000L, 0L)),
                        null,
                        null,
                        Map.of(),
                        "{\"items\":[]}",
                        T0 + 3 * DAY + 7,
                        null));
        events.add(
                new Event(
                        "acme",
                        "e-5",
                        EventType.TRACK,
                        "order_refunded",
                        T0 + 4 * DAY,
                        null,
                        List.of(),
                        null,
                        null,
                        null,
                        List.of(new OrderItem("s", null, 1, 1_000_000_000_000_000_000L)),
                        null,
                        null,
                        Map.of(),
                        null,
                        0L,
                        null));
        return events;
    }

    /** {@link #eventsWithItems()} and an event with a text signal (Event version 5). */
    public static List<Event> eventsWithText() {
        List<Event> events = new ArrayList<>(eventsWithItems());
        // props.text itself is not kept: only its signals
        events.add(
                new Event(
                        "acme",
                        "e-6",
                        EventType.TRACK,
                        "chat_message",
                        T0 + 4 * DAY + 60_000,
                        "app",
                        List.of(new Id("user_id", "u1")),
                        null,
                        null,
                        null,
                        List.of(),
                        null,
                        null,
                        Map.of(),
                        "{\"topic\":\"delivery\"}",
                        T0 + 4 * DAY + 60_007,
                        new TextSignal(
                                TextIntent.COMPLAINT, 0.875, TextSentiment.NEGATIVE, -0.6875)));
        return events;
    }

    private static List<DeadLetter> deadLetters() {
        return List.of(
                new DeadLetter("invalid_json", "unexpected end", "{\"a\":", "rtcdp.events/0/9", 5),
                new DeadLetter("missing_field", "no tenant", "{}", "f.jsonl:3", 2));
    }

    private static List<Parsed> parsed() {
        return List.of(Parsed.ok(events().get(0)), Parsed.bad(deadLetters().get(0)));
    }

    static ProfileFeatures featuresOf(List<Event> events) {
        ProfileFeatures f = new ProfileFeatures();
        for (Event e : events) {
            f.add(e);
        }
        return f;
    }

    private static List<ProfileFeatures> features() {
        // added with version 4: items of orders; with version 5: text features; with version 7:
        // traits merged from two profiles (the samples before have the traits of their events)
        return List.of(
                featuresOf(events()),
                new ProfileFeatures(),
                featuresOf(eventsWithItems()),
                featuresOf(eventsWithText()),
                mergedTraits(),
                refunded());
    }

    /**
     * Added with version 9: {@link #eventsWithItems()}' features (a basket and a refund without
     * amount) and a refund of 12.5 from another profile merged in.
     */
    static ProfileFeatures refunded() {
        ProfileFeatures f = featuresOf(eventsWithItems());
        f.merge(
                featuresOf(
                        List.of(
                                new Event(
                                        "acme",
                                        "e-9",
                                        EventType.TRACK,
                                        "order_refunded",
                                        T0 + 5 * DAY,
                                        "app",
                                        List.of(new Id("user_id", "u9")),
                                        12_500_000L,
                                        null,
                                        "o-9",
                                        List.of(),
                                        null,
                                        null,
                                        Map.of(),
                                        null,
                                        0L,
                                        null))));
        return f;
    }

    /**
     * {@link #events()}' features (traits city and plan at T0, name at T0 + 2 days) merged with a
     * profile's whose plan is later (it wins) and whose city is as late (the larger value, the
     * first profile's, wins).
     */
    static ProfileFeatures mergedTraits() {
        ProfileFeatures f = featuresOf(events());
        Map<String, String> traits = new LinkedHashMap<>();
        traits.put("plan", "silver");
        traits.put("tier", "2");
        ProfileFeatures other =
                featuresOf(
                        List.of(
                                new Event(
                                        "acme",
                                        "e-7",
                                        EventType.IDENTIFY,
                                        null,
                                        T0 + 3 * DAY,
                                        "app",
                                        List.of(),
                                        null,
                                        null,
                                        null,
                                        List.of(),
                                        null,
                                        null,
                                        traits,
                                        null,
                                        0L,
                                        null),
                                new Event(
                                        "acme",
                                        "e-8",
                                        EventType.IDENTIFY,
                                        null,
                                        T0,
                                        "app",
                                        List.of(),
                                        null,
                                        null,
                                        null,
                                        List.of(),
                                        null,
                                        null,
                                        Map.of("city", "Zug"),
                                        null,
                                        0L,
                                        null)));
        f.merge(other);
        return f;
    }

    private static List<ProfileCommand> profileCommands() {
        Event e = events().get(0);
        return List.of(
                ProfileCommand.event("o1", e, e.ids(), "o2>o1"),
                ProfileCommand.absorb("acme", "o1", featuresOf(events())),
                ProfileCommand.drop("acme", "o2", "o1"),
                ProfileCommand.ids("acme", "o1", List.of(new Id("email", "x")), e.ids()),
                ProfileCommand.forget("acme", "o1", events().get(1)),
                // added with version 6: an absorb whose features have traits; an event whose
                // merges moved fragments in; events with the trait names the rule set declares
                ProfileCommand.absorb("acme", "o1", mergedTraits()),
                ProfileCommand.event("o1", e, e.ids(), "o2>o1", List.of("o2", "f7")),
                ProfileCommand.event(
                        "o1", e, e.ids(), null, List.of(), java.util.Set.of("plan", "city")),
                ProfileCommand.event("o1", e, e.ids(), null, List.of(), java.util.Set.of()));
    }

    private static List<FragmentCommand> fragmentCommands() {
        Event e = events().get(0);
        return List.of(
                FragmentCommand.route("o1", e, e.ids(), "o2>o1"),
                FragmentCommand.resend("acme", "f1", "o1"),
                FragmentCommand.drop("acme", "f1", "o1"),
                FragmentCommand.ids("acme", "o1", e.ids(), List.of(new Id("email", "x"))),
                FragmentCommand.forget("acme", "f1", events().get(1)),
                // added with version 6: the fragments a route's merges moved in
                FragmentCommand.route("o1", e, e.ids(), "o2>o1", List.of("o2", "f7")));
    }

    private static List<ProfileState> profileStates() {
        ProfileState full = new ProfileState();
        for (Event e : events()) {
            full.features().add(e);
            full.addIds(e.ids());
        }
        full.nextVer();
        full.setTimerAt(T0 + 3 * DAY);
        full.setWrittenEpoch(4);
        full.defer(T0 + 5);
        // the last added with version 4: items of orders
        ProfileState withItems = new ProfileState();
        for (Event e : eventsWithItems()) {
            withItems.features().add(e);
        }
        // added with version 5: text features
        ProfileState withText = new ProfileState();
        for (Event e : eventsWithText()) {
            withText.features().add(e);
        }
        // added with version 7: traits merged from two profiles (those before have their events')
        ProfileState withTraits = new ProfileState();
        withTraits.features().merge(mergedTraits());
        withTraits.addIds(List.of(new Id("user_id", "u7")));
        // added with version 9: refunds and baskets (those before have their events')
        ProfileState withRefunds = new ProfileState();
        withRefunds.features().merge(refunded());
        return List.of(full, new ProfileState(), withItems, withText, withTraits, withRefunds);
    }

    private static List<ProfileUpdate> profileUpdates() {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("oneid", "o1");
        set.put("f.revenue_total", "123.45");
        set.put("tags", "vip,新客");
        Map<String, Boolean> segments = new LinkedHashMap<>();
        segments.put("vip", true);
        segments.put("churned", false);
        return List.of(
                new ProfileUpdate(
                        "acme",
                        "o1",
                        7,
                        false,
                        set,
                        List.of("f.days_since_last_order"),
                        List.of("cookie_id:c1"),
                        null,
                        segments,
                        T0,
                        T0 + 9),
                new ProfileUpdate("acme", "o2", 3, true, null, null, null, "o1"),
                new ProfileUpdate("", "", 0, false, Map.of(), List.of(), List.of()));
    }

    private static ProfileValues values() {
        ProfileValues v = new ProfileValues();
        v.set(ProfileValues.AS_OF, T0);
        v.set(ProfileValues.ORDERS_TOTAL, 3);
        v.setTopCategory("toys");
        v.setLifecycle(LifecycleStage.ACTIVE);
        return v;
    }

    private static List<ProfileChange> profileChanges() {
        return List.of(
                new ProfileChange(
                        "acme",
                        "o1",
                        profileUpdates().get(0),
                        values(),
                        events().get(0),
                        new String[] {"5", "4", null, "champions"},
                        0b101),
                new ProfileChange("acme", "o2", null, null, null, null),
                ProfileChange.ofRec("acme", "o3", "85123A:3.5,a%2Cb:1"),
                // added with version 7: the profile's traits, the fragments an event's merges
                // moved in
                new ProfileChange(
                        "acme",
                        "o1",
                        profileUpdates().get(2),
                        values(),
                        null,
                        null,
                        0b11,
                        null,
                        mergedTraits().traits(),
                        List.of("o4", "f9")),
                new ProfileChange(
                        "acme",
                        "o5",
                        profileUpdates().get(0),
                        values(),
                        events().get(2),
                        null,
                        0,
                        null,
                        java.util.Collections.emptySortedMap(),
                        List.of()),
                // added with version 8: a part's latest two order times
                new ProfileChange(
                                "acme",
                                "o1",
                                profileUpdates().get(2),
                                values(),
                                null,
                                null,
                                0b11,
                                null,
                                null,
                                List.of("o4"))
                        .withPartOrders(T0 - DAY, T0 - 9 * DAY),
                new ProfileChange("acme", "o6", profileUpdates().get(0), values(), null, null)
                        .withPartOrders(T0, Long.MIN_VALUE));
    }

    private static List<RfmObservation> rfmObservations() {
        return List.of(
                new RfmObservation("acme", "o1", T0, 3, 37_500_000L, T0 - 86_400_000L * 40),
                new RfmObservation("acme", "o3", T0, 1, 5_000_000L),
                RfmObservation.removal("acme", "o2"));
    }

    private static List<DecisionState> decisionStates() {
        // the last added with version 4: rec.next
        DecisionState withRec = DecisionStates.withEveryPart(values());
        withRec.rec = "85123A:3.5,a%2Cb:1";
        // the last added with version 5: the bin of the tenant's marketing distribution
        DecisionState counted = DecisionStates.withEveryPart(values());
        counted.marketingBin = 1207;
        // the last added with version 6: its contact history moved to the contact stage
        DecisionState moved = DecisionStates.withEveryPart(values());
        moved.marketingBin = 1207;
        moved.contactHistoryMoved = true;
        // the last added with version 7: the watch for merged-away profiles' learning snapshots
        DecisionState watching = DecisionStates.withEveryPart(values());
        watching.marketingBin = 1207;
        watching.contactHistoryMoved = true;
        watching.learningWatchUntil = T0 + 90 * DAY;
        watching.learningClockSent = T0 + DAY;
        // the last added with version 8: the BG/NBD fit the scores were computed with
        DecisionState fitted = DecisionStates.withEveryPart(values());
        fitted.marketingBin = 1207;
        fitted.contactHistoryMoved = true;
        fitted.learningWatchUntil = T0 + 90 * DAY;
        fitted.learningClockSent = T0 + DAY;
        fitted.scoredFit = -0x0123_4567_89AB_CDEFL;
        return List.of(
                DecisionStates.withEveryPart(values()),
                new DecisionState(),
                withRec,
                counted,
                moved,
                watching,
                fitted);
    }

    private static List<Trigger> triggers() {
        return List.of(
                new Trigger(
                        "t-1",
                        "acme",
                        "o1",
                        "win_back",
                        "email",
                        "crm",
                        0.75,
                        "days_since_last_order > 30",
                        "e-1",
                        T0,
                        T0 + 11),
                new Trigger("t-2", "acme", "o2", "vip", null, null, null, null, null, T0, T0));
    }

    private static List<ContactMessage> contactMessages() {
        Trigger t = triggers().get(0);
        Map<String, TriggerState> history = new java.util.TreeMap<>();
        history.put("win_back", new TriggerState(true, T0, new long[] {T0 - DAY, T0}));
        history.put("vip", new TriggerState(false, TriggerState.NEVER, new long[0]));
        return List.of(
                ContactMessage.of(t),
                ContactMessage.of(Trigger.retraction("acme", "o2", T0, T0 + 1)),
                ContactMessage.candidates(
                        "acme",
                        "o1",
                        List.of(
                                new ContactMessage.Candidate(t, 7 * DAY, 2, 30 * DAY),
                                new ContactMessage.Candidate(triggers().get(1), 0, 0, 0))),
                ContactMessage.absorbing("acme", "o1", "o2", history),
                ContactMessage.absorbing("acme", "o1", "f7", null),
                ContactMessage.handOver("acme", "o2", "o1", history));
    }

    private static List<io.rtcdp.udf.ml.LearningMessage> learningMessages() {
        io.rtcdp.udf.ml.LearningMessage.Handed handed =
                new io.rtcdp.udf.ml.LearningMessage.Handed(
                        "churn",
                        io.rtcdp.udf.ml.LabelSpec.churn(),
                        new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0});
        return List.of(
                io.rtcdp.udf.ml.LearningMessage.merged(
                        "acme", "o1", List.of("o2", "f7"), T0, T0 - DAY, T0 - 9 * DAY),
                io.rtcdp.udf.ml.LearningMessage.coverage(
                        "acme", "o1", T0 + 1, T0 - 2 * DAY, Long.MIN_VALUE),
                io.rtcdp.udf.ml.LearningMessage.order("acme", "o1", T0 + 5, T0 + 6),
                io.rtcdp.udf.ml.LearningMessage.clock("acme", "o1", T0 + DAY),
                io.rtcdp.udf.ml.LearningMessage.handOver(
                        "acme", "o2", "o1", T0 - 1, List.of(handed)),
                io.rtcdp.udf.ml.LearningMessage.handOver("acme", "f7", "o1", T0 - 2, List.of()),
                io.rtcdp.udf.ml.LearningMessage.dropped("acme", "o1"));
    }

    private static List<ContactRecord> contactRecords() {
        ContactRecord waiting = new ContactRecord();
        waiting.states.put("win_back", new TriggerState(false, T0, new long[] {T0}));
        waiting.waits.add("o2\u0001o1");
        waiting.held.add(contactMessages().get(2));
        waiting.fragments.add("o3");
        waiting.waitingSince = T0 + 5;
        return List.of(new ContactRecord(), waiting);
    }

    private static double[] vector(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian() * (i + 1) + i;
        }
        return x;
    }

    private static List<LabelledExample> labelledExamples() {
        Random r = new Random(1);
        return List.of(
                new LabelledExample("acme", "purchase", 3, 0.25, vector(r, 5), 1, T0),
                new LabelledExample("acme", "churn", 0, 0.5, new double[0], 0, T0 + DAY));
    }

    private static List<TrainerState> trainerStates() {
        ModelSpec spec = ModelSpec.defaults("purchase");
        int d = spec.features().size();
        Random r = new Random(4);
        FtrlTrainer warming = FtrlTrainer.withWarmup(spec, FtrlTrainer.Params.defaults(), 200);
        for (int i = 0; i < 150; i++) {
            warming.update(vector(r, d), r.nextBoolean() ? 1 : 0);
        }
        FtrlTrainer trained = FtrlTrainer.withWarmup(spec, FtrlTrainer.Params.defaults(), 20);
        for (int i = 0; i < 60; i++) {
            trained.update(vector(r, d), r.nextBoolean() ? 1 : 0);
        }
        TrainerState a = new TrainerState(warming, 0);
        TrainerState b = new TrainerState(trained, 3);
        b.maxServedVersion = 4;
        b.lastPublished = 5;
        b.maxTs = T0;
        b.sincePublished = 60;
        return List.of(a, b);
    }

    private static List<Conflict> conflicts() {
        return List.of(
                new Conflict("acme", "e-1", T0, new Id("email", "x"), "o1", "o2", "over_limit"),
                new Conflict(
                        "acme", "e-2", T0, new Id("phone", "1"), null, null, Conflict.QUARANTINED));
    }

    private static List<OneIdInfo> oneIdInfos() {
        List<Id> ids =
                new ArrayList<>(List.of(new Id("cookie_id", "c1"), new Id("cookie_id", "c2")));
        ids.add(new Id("email", "x"));
        ids.sort(null);
        return List.of(
                new OneIdInfo(
                        "o1",
                        T0,
                        ids,
                        List.of(new OneIdInfo.MergeRecord("o2", T0 + 5, new Id("email", "x")))),
                OneIdInfo.founded("o3", T0, Arrays.asList(new Id("user_id", "u3"))));
    }

    private static List<ItemOrder> itemOrders() {
        return List.of(
                new ItemOrder(
                        "acme",
                        17,
                        T0,
                        List.of("22423", "85123A", "礼品-1"),
                        List.of("礼品-1"),
                        List.of("85123A", "22423", "a,b:c%")),
                new ItemOrder("globex", 0, -1, List.of("x"), List.of(), List.of()));
    }

    private static List<ItemsObservation> itemsObservations() {
        PurchasedItems items = new PurchasedItems();
        items.addOrder(T0, List.of("85123A", "22423"));
        items.addOrder(T0 + DAY, List.of("85123A", "礼品-1", "85123A"));
        return List.of(
                new ItemsObservation("acme", "o1", T0 + DAY, items),
                new ItemsObservation("acme", "o3", T0, new PurchasedItems()),
                ItemsObservation.removal("acme", "o2"));
    }
}
