package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdTypes;
import io.rtcdp.udf.identity.UnionFindOracle.Ev;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * A small random world of persons and their events, within the conditions under which the final
 * identity graph is order independent ({@code docs/oneid.md}): each person has at most one {@code
 * user_id} and stays within the default id limits; some devices and phones are shared by two or
 * three persons, but only ever appear in events that also carry the user's {@code user_id}; a
 * person's cookies, devices, phones and emails otherwise appear in anonymous events too, so
 * anonymous profiles form first and are joined at login.
 *
 * @param persons the persons, for diagnostics
 * @param events the events, in story order (each person's anonymous events before their logins)
 * @param ts event time of each event, by position; small, so first-seen ties happen
 */
record IdentityWorld(List<Person> persons, List<Ev> events, List<Long> ts) {

    record Person(Id user, List<Id> own, List<Id> shared) {}

    /**
     * Worlds of 1–8 persons with 1–maxEvents events each (at least 2 drawn); sizes shrink, the rest
     * is seeded.
     */
    static Arbitrary<IdentityWorld> worlds(int maxEvents) {
        return Combinators.combine(
                        Arbitraries.integers().between(1, 8),
                        Arbitraries.integers().between(2, maxEvents),
                        Arbitraries.longs())
                .as(IdentityWorld::generate);
    }

    static IdentityWorld generate(int nPersons, int maxEvents, long seed) {
        Random r = new Random(seed);
        List<Person> persons = new ArrayList<>();
        for (int p = 0; p < nPersons; p++) {
            Id user = r.nextInt(100) < 85 ? new Id(IdTypes.USER_ID, "u" + p) : null;
            List<Id> own = new ArrayList<>();
            addIds(own, IdTypes.COOKIE_ID, "c" + p + "_", 1 + r.nextInt(3));
            addIds(own, IdTypes.DEVICE_ID, "d" + p + "_", r.nextInt(3));
            addIds(own, IdTypes.PHONE, "p" + p + "_", r.nextInt(2));
            addIds(own, IdTypes.EMAIL, "e" + p + "_", r.nextInt(3));
            addIds(own, IdTypes.UNION_ID, "w" + p + "_", r.nextInt(100) < 30 ? 1 : 0);
            persons.add(new Person(user, own, new ArrayList<>()));
        }
        List<Person> users = new ArrayList<>();
        for (Person p : persons) {
            if (p.user() != null) {
                users.add(p);
            }
        }
        if (users.size() >= 2) {
            int nShared = r.nextInt(5);
            for (int s = 0; s < nShared; s++) {
                String type = r.nextBoolean() ? IdTypes.DEVICE_ID : IdTypes.PHONE;
                Id shared = new Id(type, "s" + s);
                Collections.shuffle(users, r);
                int holders = Math.min(users.size(), 2 + r.nextInt(2));
                for (int h = 0; h < holders; h++) {
                    Person p = users.get(h);
                    // Shared ids count against the holder's limits like its own.
                    if (count(p, type) < IdLimits.defaults().limit(type)) {
                        p.shared().add(shared);
                    }
                }
            }
        }

        List<Ev> events = new ArrayList<>();
        List<Long> ts = new ArrayList<>();
        int next = 0;
        for (int p = 0; p < nPersons; p++) {
            Person person = persons.get(p);
            int n = 1 + r.nextInt(maxEvents);
            long t = r.nextInt(20);
            for (int k = 0; k < n; k++) {
                // anonymous first, logins later: the share of logins grows along the story
                boolean login = person.user() != null && r.nextInt(n) < k + 1;
                Set<Id> ids = new LinkedHashSet<>();
                if (login) {
                    ids.add(person.user());
                    for (Id id : person.own()) {
                        if (r.nextInt(100) < 35) {
                            ids.add(id);
                        }
                    }
                    for (Id id : person.shared()) {
                        if (r.nextInt(100) < 50) {
                            ids.add(id);
                        }
                    }
                } else {
                    int m = 1 + r.nextInt(Math.min(3, person.own().size()));
                    for (int i = 0; i < m; i++) {
                        ids.add(person.own().get(r.nextInt(person.own().size())));
                    }
                }
                List<Id> list = new ArrayList<>(ids);
                Collections.shuffle(list, r);
                events.add(new Ev("e" + next++, list));
                ts.add(t);
                t += r.nextInt(5);
            }
        }
        return new IdentityWorld(persons, events, ts);
    }

    /** The events in a random order, with their times. */
    List<Integer> permutation(Random r) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, r);
        return order;
    }

    private static void addIds(List<Id> to, String type, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            to.add(new Id(type, prefix + i));
        }
    }

    private static int count(Person p, String type) {
        int n = 0;
        for (Id id : p.own()) {
            n += id.type().equals(type) ? 1 : 0;
        }
        for (Id id : p.shared()) {
            n += id.type().equals(type) ? 1 : 0;
        }
        return n;
    }
}
