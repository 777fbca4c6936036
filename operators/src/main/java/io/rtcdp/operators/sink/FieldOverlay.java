package io.rtcdp.operators.sink;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An unmodifiable view of a profile update's fields with more fields put on top: what {@code new
 * LinkedHashMap<>(base)} followed by {@code putAll(over)} would hold, without the copy. The
 * decision stage adds a few fields (scores, tags) to nearly every update of the profile stage;
 * copying the update's fields for that cost more than scoring. Iterates the base's fields not
 * overridden, in their order, then the overlay's. Both maps must not change while the view is in
 * use (updates are immutable once emitted).
 */
public final class FieldOverlay extends AbstractMap<String, String> {
    private final Map<String, String> base;
    private final Map<String, String> over;
    private final int size;

    public FieldOverlay(Map<String, String> base, Map<String, String> over) {
        this.base = base;
        this.over = over;
        int shared = 0;
        for (String k : over.keySet()) {
            if (base.containsKey(k)) {
                shared++;
            }
        }
        this.size = base.size() + over.size() - shared;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean containsKey(Object key) {
        return over.containsKey(key) || base.containsKey(key);
    }

    @Override
    public String get(Object key) {
        String v = over.get(key);
        return v != null || over.containsKey(key) ? v : base.get(key);
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private final Iterator<Entry<String, String>> b = base.entrySet().iterator();
                    private final Iterator<Entry<String, String>> o = over.entrySet().iterator();
                    private Entry<String, String> next = advance();

                    private Entry<String, String> advance() {
                        while (b.hasNext()) {
                            Entry<String, String> e = b.next();
                            if (!over.containsKey(e.getKey())) {
                                return e;
                            }
                        }
                        return o.hasNext() ? o.next() : null;
                    }

                    @Override
                    public boolean hasNext() {
                        return next != null;
                    }

                    @Override
                    public Entry<String, String> next() {
                        if (next == null) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, String> e = next;
                        next = advance();
                        return new SimpleImmutableEntry<>(e.getKey(), e.getValue());
                    }
                };
            }
        };
    }
}
