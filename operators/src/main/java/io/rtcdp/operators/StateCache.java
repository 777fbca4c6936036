package io.rtcdp.operators;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * A bounded heap cache in front of one keyed {@link ValueState} (on RocksDB): a read of a key read
 * or written moments ago costs neither a RocksDB read nor the value's deserialization. A person's
 * events come in sessions, so most reads of the profile and fragment stages are such repeats.
 *
 * <p>Write-through: every write goes to the state and the cache together, so the state always holds
 * everything (checkpoints take the state as it is); a restored or rescaled task starts with an
 * empty cache, so the cache never holds anything its state does not.
 *
 * <p>The cached value is the object the stage keeps working on: a stage must write back ({@link
 * #update}) every value it changed, as it does with the state alone, and a record whose processing
 * failed half-way must {@link #invalidate} its key (the object may be changed without its write).
 * Values that leave the stage inside records are serialized when they are emitted (a network edge),
 * so later changes to the cached object do not reach them.
 *
 * <p>Not thread-safe: the task thread only. The key is the operator's current key ({@code
 * getCurrentKey()}), passed in by the caller.
 *
 * @param <V> the state's value type
 */
public final class StateCache<V> {
    /**
     * The stages' capacity when none is set (their tests); the job sets its {@code
     * state.cache-size}, off by default.
     */
    public static final int DEFAULT_SIZE = 20_000;

    /** Cached absence: a key known to have no value (a new profile's first read). */
    private static final Object NONE = new Object();

    private final ValueState<V> state;
    private final LinkedHashMap<Object, Object> cache;
    private final int capacity;

    private long hits;
    private long misses;

    /**
     * @param state the keyed state the cache fronts
     * @param capacity most keys kept, the least recently used going first; 0 for none (every read
     *     goes to the state)
     */
    public StateCache(ValueState<V> state, int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        this.state = state;
        this.capacity = capacity;
        this.cache =
                new LinkedHashMap<>(Math.max(16, Math.min(capacity, 1 << 16)), 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Object, Object> eldest) {
                        return size() > capacity;
                    }
                };
    }

    /** The value of {@code key} (the current key), or null. */
    @SuppressWarnings("unchecked")
    public V value(Object key) throws Exception {
        Object v = cache.get(key);
        if (v != null) {
            hits++;
            return v == NONE ? null : (V) v;
        }
        misses++;
        V read = state.value();
        if (capacity > 0) {
            cache.put(key, read == null ? NONE : read);
        }
        return read;
    }

    /** Writes the value of {@code key} (the current key) to the state and the cache. */
    public void update(Object key, V value) throws Exception {
        if (value == null) {
            clear(key);
            return;
        }
        state.update(value);
        if (capacity > 0) {
            cache.put(key, value);
        }
    }

    /** Removes the value of {@code key} (the current key) from the state. */
    public void clear(Object key) {
        state.clear();
        if (capacity > 0) {
            cache.put(key, NONE);
        }
    }

    /** Forgets what the cache holds of {@code key}: its next read goes to the state. */
    public void invalidate(Object key) {
        cache.remove(key);
    }

    /** Forgets everything cached (e.g. after the state was changed around the cache). */
    public void invalidateAll() {
        cache.clear();
    }

    /**
     * Registers the gauges {@code <name>CacheHits} and {@code <name>CacheMisses} (reads since the
     * task started) in {@code group}.
     */
    public StateCache<V> withMetrics(MetricGroup group, String name) {
        group.gauge(name + "CacheHits", (Gauge<Long>) this::hits);
        group.gauge(name + "CacheMisses", (Gauge<Long>) this::misses);
        return this;
    }

    /** Reads served from the heap. */
    public long hits() {
        return hits;
    }

    /** Reads that went to the state. */
    public long misses() {
        return misses;
    }
}
