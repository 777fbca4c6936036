package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** An {@link IdentityStore} on hash maps, for tests, tools and single-process replays. */
public final class InMemoryIdentityStore implements IdentityStore {
    private final Map<Id, String> links = new HashMap<>();
    private final Map<String, OneIdInfo> profiles = new HashMap<>();
    private final Set<Id> quarantine = new HashSet<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final Map<Id, UserEvidence> evidence = new HashMap<>();

    @Override
    public String oneidOf(Id id) {
        return links.get(id);
    }

    @Override
    public void link(Id id, String oneid) {
        links.put(id, oneid);
    }

    @Override
    public void unlink(Id id) {
        links.remove(id);
    }

    @Override
    public OneIdInfo info(String oneid) {
        return profiles.get(oneid);
    }

    @Override
    public void put(OneIdInfo info) {
        profiles.put(info.oneid(), info);
    }

    @Override
    public void remove(String oneid) {
        profiles.remove(oneid);
    }

    @Override
    public boolean quarantined(Id id) {
        return quarantine.contains(id);
    }

    @Override
    public void quarantine(Id id) {
        quarantine.add(id);
    }

    @Override
    public void release(Id id) {
        quarantine.remove(id);
        links.remove(id);
    }

    @Override
    public UserEvidence evidence(Id id) {
        return evidence.getOrDefault(id, UserEvidence.NONE);
    }

    @Override
    public void evidence(Id id, UserEvidence e) {
        evidence.put(id, e);
    }

    @Override
    public String aliasOf(String mergedAway) {
        return aliases.get(mergedAway);
    }

    @Override
    public void alias(String mergedAway, String survivor) {
        aliases.put(mergedAway, survivor);
    }

    /** Read-only views, to inspect the whole graph. */
    public Map<Id, String> links() {
        return Collections.unmodifiableMap(links);
    }

    public Map<String, OneIdInfo> profiles() {
        return Collections.unmodifiableMap(profiles);
    }

    public Set<Id> quarantinedIds() {
        return Collections.unmodifiableSet(quarantine);
    }

    public Map<String, String> aliases() {
        return Collections.unmodifiableMap(aliases);
    }

    /**
     * The live oneid that {@code oneid} now stands for: itself if live, else the end of its alias
     * chain; null if the chain does not end in a live profile.
     */
    public String live(String oneid) {
        String o = oneid;
        for (int hops = 0; o != null && !profiles.containsKey(o); hops++) {
            if (hops > aliases.size()) {
                throw new IllegalStateException("alias cycle through " + oneid);
            }
            o = aliases.get(o);
        }
        return o;
    }
}
