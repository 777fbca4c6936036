package io.rtcdp.udf.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One contact history per person across merges (docs/oneid.md, "Merges and the contact history"):
 * the contact stage's logic, for one tenant, plain Java. The stage runs after the decision stage,
 * keyed by tenant, and receives its {@link ContactMessage}s in the order each decision subtask sent
 * them.
 *
 * <p>A profile that never absorbed another is decided by the decision stage alone: its triggers
 * pass through here untouched. When profile {@code S} absorbs the features of a fragment {@code f}
 * (a merge; {@link ContactMessage.Kind#ABSORBING}), {@code S}'s contact history moves here (with
 * its first absorb) and from then on the decision stage sends {@code S}'s candidates (rules that
 * may fire: rising edge and consent checked) and the cooldowns and caps are judged here, against
 * the history of every profile merged into {@code S}. The merged-away {@code f}'s history comes
 * from {@code f}'s own decision subtask ({@link ContactMessage.Kind#HAND_OVER}, sent when {@code
 * f}'s profile is dropped), in any order relative to {@code S}'s messages: while a hand-over that
 * {@code S} absorbed is not in, {@code S}'s candidates are held, so no trigger is judged without
 * the history of the person it goes to.
 *
 * <p>Why every wait ends: the identity stage sends a fragment's re-send (which becomes the absorb)
 * and its drop (which becomes the hand-over) together, to the same fragment, so each absorb of
 * {@code f} by {@code S} has its hand-over of {@code f} naming {@code S}; a hand-over whose absorb
 * was dropped as stale (the survivor had merged on) goes to where the survivor's history went. As a
 * guard against a lost record, a wait longer than {@link #HAND_OVER_TIMEOUT_MILLIS} of wall-clock
 * time is given up ({@link #giveUp}): the held candidates are judged with the history there is.
 *
 * <p>The merge is the stricter wins: per rule the later last fire and every recent fire time of
 * both ({@link ContactPolicy#absorb}).
 */
public final class ContactBook {
    /** Longest wait for a hand-over before the held candidates are judged without it. */
    public static final long HAND_OVER_TIMEOUT_MILLIS = 10 * 60_000L;

    private static final char SEP = '\u0001';

    /**
     * Where the book keeps one tenant's records (the stage's keyed state): records by the oneid of
     * the live profile; per merged-away oneid its alias, {@code root U+0001 named...} (the live
     * profile its history is with, then every survivor a hand-over of it named); and which records
     * wait.
     */
    public interface Store {
        ContactRecord record(String oneid) throws Exception;

        void putRecord(String oneid, ContactRecord r) throws Exception;

        void removeRecord(String oneid) throws Exception;

        String alias(String oneid) throws Exception;

        void putAlias(String oneid, String alias) throws Exception;

        void removeAlias(String oneid) throws Exception;

        /** Notes that record {@code root} waits since {@code since}, or no longer ({@code -1}). */
        void waiting(String root, long since) throws Exception;
    }

    /** What the book did, for the stage's metrics. */
    public static final class Counts {
        public long emitted;
        public long suppressedCooldown;
        public long suppressedCap;
        public long held;
        public long handOvers;
        public long givenUp;
        public long droppedWithForget;
    }

    private final Store store;
    private final Consumer<Trigger> out;
    public final Counts counts = new Counts();

    public ContactBook(Store store, Consumer<Trigger> out) {
        this.store = store;
        this.out = out;
    }

    /** Takes one message of the tenant; {@code now} is the wall-clock time. */
    public void accept(ContactMessage m, long now) throws Exception {
        switch (m.kind()) {
            case TRIGGER -> {
                if (m.trigger().isRetraction()) {
                    forget(m.oneid());
                }
                out.accept(m.trigger());
            }
            case CANDIDATES -> candidates(m);
            case ABSORBING -> absorbing(m, now);
            case HAND_OVER -> handOver(m);
        }
    }

    /** The live profile whose record holds {@code oneid}'s history (itself when none). */
    private String root(String oneid) throws Exception {
        String a = store.alias(oneid);
        if (a == null) {
            return oneid;
        }
        int sep = a.indexOf(SEP);
        return sep < 0 ? a : a.substring(0, sep);
    }

    private static boolean named(String alias, String survivor) {
        if (alias == null) {
            return false;
        }
        int from = alias.indexOf(SEP);
        while (from >= 0) {
            int next = alias.indexOf(SEP, from + 1);
            String name = next < 0 ? alias.substring(from + 1) : alias.substring(from + 1, next);
            if (name.equals(survivor)) {
                return true;
            }
            from = next;
        }
        return false;
    }

    private static String withRoot(String alias, String root) {
        int sep = alias == null ? -1 : alias.indexOf(SEP);
        return sep < 0 ? root : root + alias.substring(sep);
    }

    private ContactRecord recordOrNew(String oneid) throws Exception {
        ContactRecord r = store.record(oneid);
        return r != null ? r : new ContactRecord();
    }

    private void candidates(ContactMessage m) throws Exception {
        String root = root(m.oneid());
        ContactRecord r = recordOrNew(root);
        if (!r.waits.isEmpty()) {
            r.held.add(m);
            counts.held++;
        } else {
            judge(r, m);
        }
        store.putRecord(root, r);
    }

    /** The first candidate whose cooldown and cap allow it fires; the others stay as they were. */
    private void judge(ContactRecord r, ContactMessage m) {
        for (ContactMessage.Candidate c : m.candidates()) {
            TriggerState st = r.states.computeIfAbsent(c.trigger().rule(), n -> new TriggerState());
            switch (ContactPolicy.admit(
                    c.cooldownMs(), c.maxPerPeriod(), c.periodMs(), st, c.trigger().ts())) {
                case FIRE -> {
                    counts.emitted++;
                    out.accept(c.trigger());
                    return;
                }
                case SUPPRESSED_COOLDOWN -> counts.suppressedCooldown++;
                case SUPPRESSED_CAP -> counts.suppressedCap++;
                default -> {}
            }
        }
    }

    private void absorbing(ContactMessage m, long now) throws Exception {
        String survivor = m.oneid();
        String fragment = m.other();
        String root = root(survivor);
        ContactRecord r = recordOrNew(root);
        if (m.states() != null) {
            ContactPolicy.absorb(r.states, m.states());
        }
        if (!named(store.alias(fragment), survivor)) {
            // its hand-over is still on its way
            if (r.waits.isEmpty()) {
                r.waitingSince = now;
                store.waiting(root, now);
            }
            r.waits.add(fragment + SEP + survivor);
        }
        store.putRecord(root, r);
    }

    private void handOver(ContactMessage m) throws Exception {
        counts.handOvers++;
        String fragment = m.oneid();
        String survivor = m.other();
        String root = root(survivor);
        if (root.equals(fragment)) {
            root = survivor; // not a chain the identity stage makes; kept apart
        }
        ContactRecord r = recordOrNew(root);
        ContactPolicy.absorb(r.states, m.states());
        ContactRecord ofFragment = store.record(fragment);
        if (ofFragment != null) {
            // the fragment had absorbed others: everything it stood for goes along
            ContactPolicy.absorb(r.states, ofFragment.states);
            if (!ofFragment.waits.isEmpty()) {
                if (r.waits.isEmpty()) {
                    r.waitingSince = ofFragment.waitingSince;
                    store.waiting(root, r.waitingSince);
                }
                r.waits.addAll(ofFragment.waits);
                store.waiting(fragment, -1);
            }
            r.held.addAll(ofFragment.held);
            for (String g : ofFragment.fragments) {
                store.putAlias(g, withRoot(store.alias(g), root));
                r.fragments.add(g);
            }
            store.removeRecord(fragment);
        }
        String alias = store.alias(fragment);
        if (alias == null) {
            store.putAlias(fragment, root + SEP + survivor);
            r.fragments.add(fragment);
        } else {
            // handed over before (this is the re-drop of a merge chain): its history is where the
            // first hand-over put it, and goes along with that record when it moves
            store.putAlias(fragment, alias + SEP + survivor);
        }
        if (r.waits.remove(fragment + SEP + survivor) && r.waits.isEmpty()) {
            release(root, r);
        }
        store.putRecord(root, r);
    }

    /** The record waits for nothing any more: its held candidates are judged, in order. */
    private void release(String root, ContactRecord r) throws Exception {
        r.waitingSince = -1;
        store.waiting(root, -1);
        List<ContactMessage> held = new ArrayList<>(r.held);
        r.held.clear();
        for (ContactMessage h : held) {
            judge(r, h);
        }
    }

    /**
     * Gives up the waits of record {@code root} (they passed {@link #HAND_OVER_TIMEOUT_MILLIS}):
     * its held candidates are judged with the history there is.
     */
    public void giveUp(String root) throws Exception {
        ContactRecord r = store.record(root);
        if (r == null) {
            store.waiting(root, -1);
            return;
        }
        counts.givenUp += r.waits.size();
        r.waits.clear();
        release(root, r);
        store.putRecord(root, r);
    }

    /** A forgotten profile: its record and the aliases of the oneids merged into it go. */
    private void forget(String oneid) throws Exception {
        ContactRecord r = store.record(oneid);
        if (r == null) {
            return;
        }
        for (String g : r.fragments) {
            store.removeAlias(g);
        }
        if (r.waitingSince >= 0) {
            store.waiting(oneid, -1);
        }
        counts.droppedWithForget += r.held.size();
        store.removeRecord(oneid);
    }
}
