package io.rtcdp.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessThreadsTest {
    @TempDir Path tasks;

    /** A {@code stat} line as Linux writes it, with utime and stime in clock ticks. */
    private void thread(int tid, String comm, long utime, long stime) throws Exception {
        Path dir = Files.createDirectories(tasks.resolve(Integer.toString(tid)));
        Files.writeString(
                dir.resolve("stat"),
                tid
                        + " ("
                        + comm
                        + ") S 1 1 1 0 -1 4194368 100 0 0 0 "
                        + utime
                        + " "
                        + stime
                        + " 0 0 20 0 40 0 123 456 789\n");
    }

    @Test
    void theJitTheCollectorAndRocksDbAreCountedFromTheirThreadsTicks() throws Exception {
        thread(10, "C2 CompilerThre", 100, 10);
        thread(11, "C1 CompilerThre", 5, 0);
        thread(12, "GC Thread#0", 20, 2);
        thread(13, "G1 Conc#0", 1, 0);
        thread(14, "rocksdb:low", 40, 4);
        thread(15, "profile (1/2)#0", 300, 0);
        thread(16, "a (name) with) parens", 7, 0);
        ProcessThreads p = new ProcessThreads(tasks);

        thread(10, "C2 CompilerThre", 200, 20); // +110 ticks: 1.1 s
        thread(11, "C1 CompilerThre", 5, 0);
        thread(12, "GC Thread#0", 30, 2); // +10
        thread(13, "G1 Conc#0", 6, 0); // +5
        thread(14, "rocksdb:low", 60, 4); // +20
        thread(15, "profile (1/2)#0", 900, 0); // a task thread: not counted here
        thread(16, "a (name) with) parens", 70, 0);
        thread(17, "rocksdb:high", 50, 0); // started since: all of its ticks

        Map<ProcessThreads.Group, Long> cpu = p.since();
        assertThat(cpu)
                .containsExactly(
                        Map.entry(ProcessThreads.Group.JIT, 1_100_000_000L),
                        Map.entry(ProcessThreads.Group.GC, 150_000_000L),
                        Map.entry(ProcessThreads.Group.ROCKSDB, 700_000_000L));
        assertThat(p.perEvent(1_000_000))
                .isEqualTo("JIT compilers 1.1 µs; GC 0.2 µs; RocksDB flush and compaction 0.7 µs");
    }

    @Test
    void theCollectorIsNamedByItsBeans() {
        assertThat(ProcessThreads.collector(List.of("G1 Young Generation", "G1 Old Generation")))
                .isEqualTo("G1");
        assertThat(ProcessThreads.collector(List.of("PS Scavenge", "PS MarkSweep")))
                .isEqualTo("Parallel");
        assertThat(ProcessThreads.collector(List.of("Copy", "MarkSweepCompact")))
                .isEqualTo("Serial");
        assertThat(ProcessThreads.collector(List.of("ZGC Cycles", "ZGC Pauses"))).isEqualTo("ZGC");
        assertThat(ProcessThreads.collector(List.of("Other"))).isEqualTo("Other");
        assertThat(ProcessThreads.collector(List.of())).isEqualTo("unknown");
        // this JVM's, whichever it is, has a name
        assertThat(ProcessThreads.collector()).isNotBlank().isNotEqualTo("unknown");
    }

    @Test
    void withoutProcThereIsNothingToReport() {
        ProcessThreads p = new ProcessThreads(tasks.resolve("none"));
        assertThat(p.since()).isEmpty();
        assertThat(p.perEvent(10)).isEqualTo("not measured (no /proc)");
    }
}
