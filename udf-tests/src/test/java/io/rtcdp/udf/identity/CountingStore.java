package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;

/** An {@link InMemoryIdentityStore} that counts the reads and writes made of it. */
final class CountingStore implements IdentityStore {
    final InMemoryIdentityStore inner = new InMemoryIdentityStore();
    int reads;
    int writes;

    void reset() {
        reads = 0;
        writes = 0;
    }

    @Override
    public String oneidOf(Id id) {
        reads++;
        return inner.oneidOf(id);
    }

    @Override
    public void link(Id id, String oneid) {
        writes++;
        inner.link(id, oneid);
    }

    @Override
    public void unlink(Id id) {
        writes++;
        inner.unlink(id);
    }

    @Override
    public OneIdInfo info(String oneid) {
        reads++;
        return inner.info(oneid);
    }

    @Override
    public void put(OneIdInfo info) {
        writes++;
        inner.put(info);
    }

    @Override
    public void remove(String oneid) {
        writes++;
        inner.remove(oneid);
    }

    @Override
    public boolean quarantined(Id id) {
        reads++;
        return inner.quarantined(id);
    }

    @Override
    public void quarantine(Id id) {
        writes++;
        inner.quarantine(id);
    }

    @Override
    public void release(Id id) {
        writes++;
        inner.release(id);
    }

    @Override
    public UserEvidence evidence(Id id) {
        reads++;
        return inner.evidence(id);
    }

    @Override
    public void evidence(Id id, UserEvidence e) {
        writes++;
        inner.evidence(id, e);
    }

    @Override
    public String aliasOf(String mergedAway) {
        reads++;
        return inner.aliasOf(mergedAway);
    }

    @Override
    public void alias(String mergedAway, String survivor) {
        writes++;
        inner.alias(mergedAway, survivor);
    }
}
