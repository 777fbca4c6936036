package io.rtcdp.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The last tenant's entry: always the map's answer, with a look-up only when the tenant changes.
 */
class TenantMemoTest {

    @Test
    void answersAsTheMapDoesAndLooksItUpOncePerRunOfOneTenant() {
        AtomicInteger lookUps = new AtomicInteger();
        Map<String, Integer> map =
                new HashMap<>() {
                    @Override
                    public Integer get(Object key) {
                        lookUps.incrementAndGet();
                        return super.get(key);
                    }
                };
        map.put("a", 1);
        TenantMemo<Integer> memo = new TenantMemo<>(map, null);
        String a = "a";
        assertThat(memo.get(a)).isEqualTo(1);
        assertThat(memo.get(a)).isEqualTo(1);
        assertThat(lookUps).hasValue(1);
        // another string of the same text: the same answer, no look-up
        assertThat(memo.get(new StringBuilder().append('a').toString())).isEqualTo(1);
        assertThat(lookUps).hasValue(1);
        // a tenant the map lacks: null, nothing put, and the map asked again next time
        String b = "b";
        assertThat(memo.get(b)).isNull();
        assertThat(map).containsOnlyKeys("a");
        map.put(b, 3);
        assertThat(memo.get(b)).isEqualTo(3);
        // the owner changes the map and resets: the next answer is the map's new one
        map.put("a", 2);
        memo.reset();
        assertThat(memo.get(a)).isEqualTo(2);
    }

    @Test
    void makesAndPutsTheEntryOfATenantTheMapLacks() {
        Map<String, int[]> map = new HashMap<>();
        TenantMemo<int[]> memo = new TenantMemo<>(map, t -> new int[] {t.length()});
        int[] first = memo.get("abc");
        assertThat(first).containsExactly(3);
        assertThat(map).containsEntry("abc", first);
        memo.get("de");
        assertThat(memo.get("abc")).isSameAs(first);
        assertThat(map).hasSize(2);
    }
}
