package io.rtcdp.operators.sink;

import io.rtcdp.udf.profile.ProfileFields;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * A deterministic, seeded sequence of profile updates as the profile operator would emit them:
 * several tenants, profiles interleaved, each profile's updates in order with {@code ver} counting
 * 1, 2, … since its creation; some profiles are deleted (forget) and some of those come back under
 * the same oneid. Writes set a random part of ~20 fields, sometimes remove some, and claim ids of
 * the profile's own id pool; a delete names the whole pool.
 *
 * <p>Also a {@link GeneratorFunction} so a Flink job can emit the same sequence (records are not
 * {@code Serializable}; the sequence is rebuilt from the seed in {@code open}).
 */
final class UpdateSequence implements GeneratorFunction<Long, ProfileUpdate> {
    private static final long serialVersionUID = 1L;

    static final List<String> FIELDS;

    static {
        List<String> f = new ArrayList<>(ProfileFields.FEATURE_FIELDS);
        f.add(ProfileFields.IDS);
        f.add("tags");
        FIELDS = List.copyOf(f);
    }

    private final long seed;
    private final int profiles;
    private final int maxUpdatesPerProfile;
    private transient List<ProfileUpdate> updates;

    UpdateSequence(long seed, int profiles, int maxUpdatesPerProfile) {
        this.seed = seed;
        this.profiles = profiles;
        this.maxUpdatesPerProfile = maxUpdatesPerProfile;
    }

    List<ProfileUpdate> updates() {
        if (updates == null) {
            updates = generate();
        }
        return updates;
    }

    int size() {
        return updates().size();
    }

    @Override
    public void open(SourceReaderContext readerContext) {
        updates();
    }

    @Override
    public ProfileUpdate map(Long index) {
        return updates.get(Math.toIntExact(index));
    }

    private List<ProfileUpdate> generate() {
        Random random = new Random(seed);
        List<List<ProfileUpdate>> perProfile = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        for (int p = 0; p < profiles; p++) {
            String tenant = "t" + (p % 3);
            String oneid = "o" + Long.toString(seed, 36) + "-" + p;
            List<String> pool =
                    List.of(
                            "cookie_id:c" + p,
                            "cookie_id:c" + p + "x",
                            "device_id:d" + p,
                            "email:" + Long.toHexString(random.nextLong()) + p);
            List<ProfileUpdate> sequence = new ArrayList<>();
            int n = 1 + random.nextInt(maxUpdatesPerProfile);
            long ver = 0;
            for (int i = 0; i < n; i++) {
                if (i > 0 && random.nextInt(10) == 0) {
                    sequence.add(
                            new ProfileUpdate(tenant, oneid, 0, true, Map.of(), List.of(), pool));
                    ver = 0;
                    continue;
                }
                Map<String, String> set = new LinkedHashMap<>();
                set.put(ProfileFields.ONEID, oneid);
                for (String field : FIELDS) {
                    if (random.nextInt(3) > 0) {
                        set.put(field, Integer.toString(random.nextInt(100_000)));
                    }
                }
                List<String> unset = new ArrayList<>();
                while (random.nextInt(3) == 0) {
                    unset.add(FIELDS.get(random.nextInt(FIELDS.size())));
                }
                unset.removeAll(set.keySet());
                List<String> ids = new ArrayList<>();
                for (String id : pool) {
                    if (random.nextInt(3) == 0) {
                        ids.add(id);
                    }
                }
                sequence.add(new ProfileUpdate(tenant, oneid, ++ver, false, set, unset, ids));
            }
            perProfile.add(sequence);
            for (int i = 0; i < sequence.size(); i++) {
                slots.add(p);
            }
        }
        // Interleave profiles randomly, keeping each profile's own order.
        Collections.shuffle(slots, random);
        int[] next = new int[profiles];
        List<ProfileUpdate> out = new ArrayList<>(slots.size());
        for (int p : slots) {
            out.add(perProfile.get(p).get(next[p]++));
        }
        return out;
    }
}
