package io.rtcdp.jobs.bench;

import io.rtcdp.jobs.local.ProcStat;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryManagerMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU of the JVM's own threads and of RocksDB's, which Java's thread bean does not show: the
 * JIT compilers, the garbage collector and RocksDB's flush and compaction threads (native). Read
 * from Linux's {@code /proc/self/task/<tid>/stat} before and after a run; a thread started in
 * between counts from zero, one that ended in between is not counted (these threads live as long as
 * the process, the compilers aside, which the JVM may stop when idle). Elsewhere (no {@code /proc})
 * there is nothing to report.
 */
final class ProcessThreads {
    /** The groups reported, in order, and the thread names ({@code comm}) that belong to each. */
    enum Group {
        JIT("JIT compilers"),
        GC("GC"),
        ROCKSDB("RocksDB flush and compaction");

        final String label;

        Group(String label) {
            this.label = label;
        }

        /**
         * The group of a thread name, or null for the others (Flink's, the job's, the JVM's rest).
         */
        static Group of(String comm) {
            if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                return JIT;
            }
            if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
                return GC;
            }
            if (comm.startsWith("rocksdb:")) {
                return ROCKSDB;
            }
            return null;
        }
    }

    /**
     * The garbage collector of this JVM, by the names of its collector beans: {@code G1}, {@code
     * Parallel}, {@code Serial}, {@code ZGC}, {@code Shenandoah}, or the first bean's name.
     */
    static String collector() {
        return collector(
                ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(MemoryManagerMXBean::getName)
                        .toList());
    }

    /** {@link #collector()} of these bean names. */
    static String collector(List<String> beans) {
        for (String b : beans) {
            if (b.startsWith("G1 ")) {
                return "G1";
            }
            if (b.startsWith("PS ")) {
                return "Parallel";
            }
            if (b.equals("Copy") || b.equals("MarkSweepCompact")) {
                return "Serial";
            }
            if (b.startsWith("ZGC")) {
                return "ZGC";
            }
            if (b.startsWith("Shenandoah")) {
                return "Shenandoah";
            }
        }
        return beans.isEmpty() ? "unknown" : beans.get(0);
    }

    /** A thread: its id and name (an id the kernel gives again later comes with another name). */
    private record Task(String tid, String name) {}

    private final Path tasks;
    private final Map<Task, Long> before;

    /** Reads the threads' CPU of this process now. */
    static ProcessThreads start() {
        return new ProcessThreads(Path.of("/proc/self/task"));
    }

    /**
     * @param tasks a {@code /proc/<pid>/task} directory
     */
    ProcessThreads(Path tasks) {
        this.tasks = tasks;
        this.before = read();
    }

    /**
     * CPU nanoseconds per group since {@link #start}, in the groups' order; empty without /proc.
     */
    Map<Group, Long> since() {
        Map<Group, Long> out = new LinkedHashMap<>();
        if (before.isEmpty()) {
            return out;
        }
        for (Group g : Group.values()) {
            out.put(g, 0L);
        }
        for (Map.Entry<Task, Long> e : read().entrySet()) {
            Group g = Group.of(e.getKey().name());
            if (g != null) {
                // a thread started since (RocksDB's, at its first database) counts from zero
                long ticks = e.getValue() - before.getOrDefault(e.getKey(), 0L);
                out.merge(g, ticks * 1_000_000_000L / ProcStat.TICKS_PER_SECOND, Long::sum);
            }
        }
        return out;
    }

    /** {@code JIT compilers 10.1 µs; GC 1.7 µs; ...} per event, or {@code not measured}. */
    String perEvent(long events) {
        Map<Group, Long> cpu = since();
        if (cpu.isEmpty()) {
            return "not measured (no /proc)";
        }
        StringBuilder sb = new StringBuilder();
        cpu.forEach(
                (g, nanos) -> {
                    if (sb.length() > 0) {
                        sb.append("; ");
                    }
                    sb.append(g.label)
                            .append(' ')
                            .append(
                                    String.format(
                                            Locale.ROOT,
                                            "%.1f µs",
                                            nanos / 1e3 / Math.max(1, events)));
                });
        return sb.toString();
    }

    /** Each thread's user + system ticks; empty where there is no such directory. */
    private Map<Task, Long> read() {
        Map<Task, Long> ticks = new HashMap<>();
        if (!Files.isDirectory(tasks)) {
            return ticks;
        }
        try (Stream<Path> s = Files.list(tasks)) {
            s.forEach(
                    t -> {
                        try {
                            String stat = Files.readString(t.resolve("stat"));
                            ticks.put(
                                    new Task(t.getFileName().toString(), ProcStat.name(stat)),
                                    ProcStat.cpuTicks(stat));
                        } catch (IOException | RuntimeException gone) {
                            // the thread ended while we read
                        }
                    });
        } catch (IOException | java.io.UncheckedIOException e) {
            ticks.clear();
        }
        return ticks;
    }
}
