package io.rtcdp.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.junit.jupiter.api.Test;

class StateCacheTest {
    /** A keyed value state of the heap, with a current key, counting its reads and writes. */
    private static final class FakeState implements ValueState<String> {
        final Map<String, String> values = new HashMap<>();
        String key;
        int reads;
        int writes;

        @Override
        public String value() {
            reads++;
            return values.get(key);
        }

        @Override
        public void update(String value) {
            writes++;
            values.put(key, value);
        }

        @Override
        public void clear() {
            writes++;
            values.remove(key);
        }
    }

    private final FakeState state = new FakeState();

    private String read(StateCache<String> cache, String key) throws Exception {
        state.key = key;
        return cache.value(key);
    }

    private void write(StateCache<String> cache, String key, String value) throws Exception {
        state.key = key;
        cache.update(key, value);
    }

    @Test
    void repeatedReadsAreServedFromTheHeapAndWritesGoThrough() throws Exception {
        StateCache<String> cache = new StateCache<>(state, 10);
        state.values.put("a", "1");
        assertThat(read(cache, "a")).isEqualTo("1");
        assertThat(read(cache, "a")).isEqualTo("1");
        assertThat(state.reads).isEqualTo(1);
        write(cache, "a", "2");
        assertThat(state.values).containsEntry("a", "2");
        assertThat(read(cache, "a")).isEqualTo("2");
        assertThat(state.reads).isEqualTo(1);
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(cache.misses()).isEqualTo(1);
    }

    @Test
    void absenceIsCachedAndAClearGoesThrough() throws Exception {
        StateCache<String> cache = new StateCache<>(state, 10);
        assertThat(read(cache, "new")).isNull();
        assertThat(read(cache, "new")).isNull();
        assertThat(state.reads).isEqualTo(1);
        write(cache, "new", "v");
        state.key = "new";
        cache.clear("new");
        assertThat(state.values).doesNotContainKey("new");
        assertThat(read(cache, "new")).isNull();
        assertThat(state.reads).isEqualTo(1);
        // an update to null is a clear
        write(cache, "x", "1");
        write(cache, "x", null);
        assertThat(state.values).doesNotContainKey("x");
    }

    @Test
    void anInvalidatedKeyIsReadFromTheStateAgain() throws Exception {
        StateCache<String> cache = new StateCache<>(state, 10);
        write(cache, "a", "written");
        // the state changed around the cache (as a re-evaluation over all keys does)
        state.values.put("a", "changed");
        assertThat(read(cache, "a")).isEqualTo("written");
        cache.invalidate("a");
        assertThat(read(cache, "a")).isEqualTo("changed");
        state.values.put("a", "again");
        cache.invalidateAll();
        assertThat(read(cache, "a")).isEqualTo("again");
    }

    @Test
    void theLeastRecentlyUsedKeyGoesBeyondTheCapacity() throws Exception {
        StateCache<String> cache = new StateCache<>(state, 2);
        write(cache, "a", "1");
        write(cache, "b", "2");
        read(cache, "a"); // a is now the most recently used
        write(cache, "c", "3"); // b goes
        int before = state.reads;
        assertThat(read(cache, "a")).isEqualTo("1");
        assertThat(read(cache, "c")).isEqualTo("3");
        assertThat(state.reads).isEqualTo(before);
        assertThat(read(cache, "b")).isEqualTo("2");
        assertThat(state.reads).isEqualTo(before + 1);
    }

    @Test
    void capacityZeroReadsTheStateEveryTime() throws Exception {
        StateCache<String> cache = new StateCache<>(state, 0);
        write(cache, "a", "1");
        read(cache, "a");
        read(cache, "a");
        assertThat(state.reads).isEqualTo(2);
        assertThat(cache.hits()).isZero();
        assertThatThrownBy(() -> new StateCache<>(state, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
