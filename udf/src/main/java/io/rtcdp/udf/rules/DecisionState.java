package io.rtcdp.udf.rules;

import io.rtcdp.udf.ml.LearningHead;
import io.rtcdp.udf.ml.WrittenScore;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.ProfileValues;
import io.rtcdp.udf.profile.Strings;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the decision stage keeps per profile: the inputs of the rules (the profile's rendered
 * values, its RFM score, its traits) and what it last wrote (tags, segments), plus the
 * contact-policy state of each trigger rule. Mutable; one state value.
 */
public final class DecisionState {
    private static final byte FORMAT = 11;

    /** The profile stage's values, or null while only an RFM score is known. */
    public ProfileValues values;

    /** {@code r, f, m, segment}, or null. */
    public String[] rfm;

    /**
     * Traits a profile keeps, at most: a new trait name beyond them is not kept (the parser bounds
     * each event's traits and their lengths), so one profile's state stays bounded.
     */
    public static final int MAX_TRAITS = 64;

    /** Traits from identify (and other) events, last value wins; see {@link #putTraits}. */
    public final TreeMap<String, String> traits = new TreeMap<>();

    /** Tags and segments as last written, sorted. */
    public List<String> tags = List.of();

    public List<String> segments = List.of();

    /** Version of the rule set these were evaluated with, 0 for none. */
    public long rulesVersion;

    /**
     * Model outputs as last written, by model name: {@code score.<name>}, {@code model.<name>},
     * {@code reasons.<name>}.
     */
    public final TreeMap<String, WrittenScore> scores = new TreeMap<>();

    /** {@code score.marketing} as last written, -1 for none. */
    public int marketing = -1;

    /**
     * The bin of the tenant's marketing distribution ({@code MarketingDistribution}) this profile's
     * purchase probability is counted in, -1 while it is counted in none (no purchase model, or a
     * state written before format 8: counted at its next scoring).
     */
    public int marketingBin = -1;

    /** {@code rec.next} as last received from the next-purchase stage, null for none. */
    public String rec;

    /**
     * Online learning per model name: the head of the profile's snapshots, which are kept apart
     * (they are needed about once a week of event time, the head on every update).
     */
    public final TreeMap<String, LearningHead> learning = new TreeMap<>();

    /**
     * Snapshots per model name, in {@code SnapshotLabeler}'s encoding, of a state written before
     * they were kept apart (format 3); moved out when the model next learns from this profile.
     */
    public final TreeMap<String, byte[]> unmovedSnapshots = new TreeMap<>();

    /**
     * Contact-policy state per trigger rule name; for a profile whose contact history is kept by
     * the contact stage ({@link #contactHistoryMoved}) only the rising edges.
     */
    public final TreeMap<String, TriggerState> triggers = new TreeMap<>();

    /**
     * Whether this profile absorbed another (a merge) and its contact history (last fires, recent
     * fire times) moved to the contact stage ({@link ContactBook}), which judges its cooldowns and
     * caps from then on (format 9).
     */
    public boolean contactHistoryMoved;

    /**
     * Until which {@code as_of} this profile sends its orders and clock to the stage that labels
     * the learning snapshots of profiles merged into it ({@code MergedSnapshots}): a label horizon
     * after its latest merge; {@link Long#MIN_VALUE} when it does not (format 10).
     */
    public long learningWatchUntil = Long.MIN_VALUE;

    /** The {@code as_of} last sent to that stage while watching (format 10). */
    public long learningClockSent = Long.MIN_VALUE;

    /**
     * The identity ({@code BgNbdFit.id}) of the tenant's BG/NBD live fit the scores were last
     * computed with; 0 for the models' own parameters, or not known (a state written before format
     * 11). At the end of a bounded input the profiles scored with another fit than the tenant's
     * last are scored again.
     */
    public long scoredFit;

    /** The rules' type of each profile value slot, by index; null for none. */
    private static final RuleSchema.Kind[] FEATURE_KINDS =
            ProfileFields.FEATURE_FIELDS.stream()
                    .map(f -> f.startsWith("f.") ? RuleSchema.FEATURES.get(f.substring(2)) : null)
                    .toArray(RuleSchema.Kind[]::new);

    /** The rules' name of each profile value slot ({@code f.} left out). */
    private static final String[] FEATURE_NAMES =
            ProfileFields.FEATURE_FIELDS.stream()
                    .map(f -> f.startsWith("f.") ? f.substring(2) : f)
                    .toArray(String[]::new);

    /** The slot of each rule feature, by its name without {@code f.}. */
    private static final Map<String, Integer> FEATURE_SLOTS = featureSlots();

    private static Map<String, Integer> featureSlots() {
        Map<String, Integer> slots = new HashMap<>();
        for (int i = 0; i < FEATURE_KINDS.length; i++) {
            if (FEATURE_KINDS[i] != null) {
                slots.put(FEATURE_NAMES[i], i);
            }
        }
        return Map.copyOf(slots);
    }

    /**
     * A profile's features as rule conditions read them ({@code f.<name>}), made from its values
     * only when a condition reads one: most decisions read a few of the ~40. Read-only; holds the
     * values object (not a copy), so it is used at once, while they do not change. A present
     * numeric slot is its {@code Long} (int features) or {@code Double}; the top category its text
     * when not empty; an absent slot is no entry.
     */
    static final class FeatureView extends java.util.AbstractMap<String, Object> {
        private final ProfileValues v;

        FeatureView(ProfileValues v) {
            this.v = v;
        }

        @Override
        public Object get(Object name) {
            Integer slot = name instanceof String ? FEATURE_SLOTS.get(name) : null;
            return slot == null ? null : value(slot);
        }

        @Override
        public boolean containsKey(Object name) {
            return get(name) != null;
        }

        private Object value(int i) {
            if (!v.has(i)) {
                return null;
            }
            return switch (FEATURE_KINDS[i]) {
                case INT -> v.unscaled(i);
                case DOUBLE -> v.number(i);
                case STRING -> {
                    String text = v.text(i);
                    yield text.isEmpty() ? null : text;
                }
            };
        }

        @Override
        public java.util.Set<Map.Entry<String, Object>> entrySet() {
            Map<String, Object> all = new java.util.LinkedHashMap<>();
            for (int i = 0; i < FEATURE_KINDS.length; i++) {
                if (FEATURE_KINDS[i] != null) {
                    Object value = value(i);
                    if (value != null) {
                        all.put(FEATURE_NAMES[i], value);
                    }
                }
            }
            return Collections.unmodifiableSet(all.entrySet());
        }
    }

    /** What the rules see of this profile, with the probabilities last written. */
    public RuleFacts facts() {
        return facts(null);
    }

    /**
     * What the rules see of this profile (contract §6.1): its features, lifecycle, consent, scores,
     * RFM and traits. Needs {@link #values}.
     *
     * @param probabilities the models' probabilities just computed, in {@link
     *     TenantScorers#MODEL_NAMES} order (NaN for none), or null to take those last written
     */
    public RuleFacts facts(double[] probabilities) {
        RuleFacts.Builder b = RuleFacts.builder();
        ProfileValues v = values;
        b.features(new FeatureView(v));
        if (v.lifecycle() != null) {
            b.lifecycle(v.lifecycle().label());
        }
        if (v.has(ProfileValues.CONSENT_MARKETING)) {
            b.consent("marketing", v.unscaled(ProfileValues.CONSENT_MARKETING) == 1);
        }
        if (v.has(ProfileValues.CONSENT_PERSONALIZATION)) {
            b.consent("personalization", v.unscaled(ProfileValues.CONSENT_PERSONALIZATION) == 1);
        }
        List<String> models = TenantScorers.MODEL_NAMES;
        for (int i = 0; i < models.size(); i++) {
            if (probabilities != null) {
                if (!Double.isNaN(probabilities[i])) {
                    b.score(models.get(i), probabilities[i]);
                }
                continue;
            }
            WrittenScore w = scores.get(models.get(i));
            if (w != null) {
                b.score(models.get(i), w.probability);
            }
        }
        if (marketing >= 0) {
            b.score("marketing", (long) marketing);
        }
        if (rfm != null) {
            b.rfm("r", Long.parseLong(rfm[0]));
            b.rfm("f", Long.parseLong(rfm[1]));
            b.rfm("m", Long.parseLong(rfm[2]));
            b.rfm("segment", rfm[3]);
        }
        if (!traits.isEmpty()) {
            b.traits(traits);
        }
        if (rec != null) {
            b.rec(io.rtcdp.udf.rec.NextPurchase.skus(rec));
        }
        return b.build();
    }

    /**
     * Takes an event's traits, last value wins, keeping at most {@link #MAX_TRAITS} names.
     *
     * @return how many of them were left out (new names beyond the bound)
     */
    public int putTraits(Map<String, String> more) {
        int leftOut = 0;
        for (Map.Entry<String, String> e : more.entrySet()) {
            if (traits.size() < MAX_TRAITS || traits.containsKey(e.getKey())) {
                traits.put(e.getKey(), e.getValue());
            } else {
                leftOut++;
            }
        }
        return leftOut;
    }

    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeBoolean(values != null);
        if (values != null) {
            values.write(out);
        }
        writeArray(out, rfm);
        out.writeInt(traits.size());
        for (Map.Entry<String, String> e : traits.entrySet()) {
            Strings.write(out, e.getKey());
            Strings.write(out, e.getValue());
        }
        writeList(out, tags);
        writeList(out, segments);
        out.writeLong(rulesVersion);
        out.writeInt(triggers.size());
        for (Map.Entry<String, TriggerState> e : triggers.entrySet()) {
            Strings.write(out, e.getKey());
            e.getValue().write(out);
        }
        out.writeInt(scores.size());
        for (Map.Entry<String, WrittenScore> e : scores.entrySet()) {
            Strings.write(out, e.getKey());
            e.getValue().write(out);
        }
        out.writeInt(marketing);
        out.writeInt(learning.size());
        for (Map.Entry<String, LearningHead> e : learning.entrySet()) {
            Strings.write(out, e.getKey());
            e.getValue().write(out);
        }
        out.writeInt(unmovedSnapshots.size());
        for (Map.Entry<String, byte[]> e : unmovedSnapshots.entrySet()) {
            Strings.write(out, e.getKey());
            out.writeInt(e.getValue().length);
            out.write(e.getValue());
        }
        out.writeBoolean(rec != null);
        if (rec != null) {
            Strings.write(out, rec);
        }
        out.writeInt(marketingBin);
        out.writeBoolean(contactHistoryMoved);
        out.writeLong(learningWatchUntil);
        out.writeLong(learningClockSent);
        out.writeLong(scoredFit);
    }

    public static DecisionState read(DataInput in) throws IOException {
        byte format = in.readByte();
        if (format < 1 || format > FORMAT) {
            throw new IOException("Unknown decision state format " + format);
        }
        DecisionState s = new DecisionState();
        if (format >= 6) {
            s.values = in.readBoolean() ? ProfileValues.read(in) : null;
        } else {
            // formats 1 to 5 kept the profile stage's text; parsed once
            String[] fields = readArray(in);
            try {
                s.values = fields == null ? null : ProfileValues.parse(fields);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IOException("corrupt fields in decision state: " + e.getMessage(), e);
            }
        }
        s.rfm = readArray(in);
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            s.traits.put(Strings.read(in), Strings.read(in));
        }
        s.tags = readList(in);
        s.segments = readList(in);
        s.rulesVersion = in.readLong();
        int t = in.readInt();
        for (int i = 0; i < t; i++) {
            s.triggers.put(Strings.read(in), TriggerState.read(in));
        }
        if (format >= 5) {
            int m = in.readInt();
            for (int i = 0; i < m; i++) {
                s.scores.put(Strings.read(in), WrittenScore.read(in));
            }
            s.marketing = in.readInt();
        } else if (format >= 2) {
            int m = in.readInt();
            TreeMap<String, String> text = new TreeMap<>();
            for (int i = 0; i < m; i++) {
                text.put(Strings.read(in), Strings.read(in));
            }
            readTextScores(text, s);
        }
        if (format == 3) {
            // the snapshots themselves, inline
            readSnapshots(in, s);
            for (Map.Entry<String, byte[]> e : s.unmovedSnapshots.entrySet()) {
                s.learning.put(e.getKey(), LearningHead.ofEncoded(e.getValue()));
            }
        } else if (format >= 4) {
            int l = in.readInt();
            for (int i = 0; i < l; i++) {
                s.learning.put(Strings.read(in), LearningHead.read(in));
            }
            readSnapshots(in, s);
        }
        if (format >= 7 && in.readBoolean()) {
            s.rec = Strings.read(in);
        }
        if (format >= 8) {
            s.marketingBin = in.readInt();
        }
        if (format >= 9) {
            s.contactHistoryMoved = in.readBoolean();
        }
        if (format >= 10) {
            s.learningWatchUntil = in.readLong();
            s.learningClockSent = in.readLong();
        }
        if (format >= 11) {
            s.scoredFit = in.readLong();
        }
        return s;
    }

    /**
     * Formats 2 to 4 kept the fields' text: {@code score.<name>}, {@code model.<name>}, {@code
     * reasons.<name>}, {@code score.marketing}. The reasons are taken as unknown (written again at
     * the next scoring).
     */
    private static void readTextScores(Map<String, String> text, DecisionState s)
            throws IOException {
        try {
            for (Map.Entry<String, String> e : text.entrySet()) {
                String field = e.getKey();
                if (field.equals("score.marketing")) {
                    s.marketing = Integer.parseInt(e.getValue());
                } else if (field.startsWith("score.")) {
                    String name = field.substring("score.".length());
                    String version = text.get("model." + name);
                    s.scores.put(
                            name,
                            new WrittenScore(
                                    Double.parseDouble(e.getValue()),
                                    version == null ? 0 : Long.parseLong(version),
                                    null));
                }
            }
        } catch (NumberFormatException e) {
            throw new IOException("corrupt score in decision state: " + e.getMessage(), e);
        }
    }

    private static void readSnapshots(DataInput in, DecisionState s) throws IOException {
        int l = in.readInt();
        for (int i = 0; i < l; i++) {
            String name = Strings.read(in);
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            s.unmovedSnapshots.put(name, b);
        }
    }

    private static void writeArray(DataOutput out, String[] a) throws IOException {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(a.length);
        for (String s : a) {
            out.writeBoolean(s != null);
            if (s != null) {
                Strings.write(out, s);
            }
        }
    }

    private static String[] readArray(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        String[] a = new String[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readBoolean() ? Strings.read(in) : null;
        }
        return a;
    }

    private static void writeList(DataOutput out, List<String> l) throws IOException {
        out.writeInt(l.size());
        for (String s : l) {
            Strings.write(out, s);
        }
    }

    private static List<String> readList(DataInput in) throws IOException {
        int n = in.readInt();
        if (n == 0) {
            return List.of();
        }
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(Strings.read(in));
        }
        return List.copyOf(l);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecisionState s
                && Objects.equals(values, s.values)
                && Arrays.equals(rfm, s.rfm)
                && traits.equals(s.traits)
                && tags.equals(s.tags)
                && segments.equals(s.segments)
                && rulesVersion == s.rulesVersion
                && triggers.equals(s.triggers)
                && scores.equals(s.scores)
                && marketing == s.marketing
                && marketingBin == s.marketingBin
                && contactHistoryMoved == s.contactHistoryMoved
                && learningWatchUntil == s.learningWatchUntil
                && learningClockSent == s.learningClockSent
                && scoredFit == s.scoredFit
                && learning.equals(s.learning)
                && Objects.equals(rec, s.rec);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values, Arrays.hashCode(rfm), tags, segments);
    }
}
