package io.rtcdp.jobs.local;

/**
 * One line of Linux's {@code /proc/<pid>/stat} or {@code /proc/<pid>/task/<tid>/stat}: the name and
 * the CPU time of a process or thread.
 */
public final class ProcStat {
    /** The kernel's clock ticks per second in these files ({@code USER_HZ}, 100 on Linux). */
    public static final long TICKS_PER_SECOND = 100;

    private ProcStat() {}

    /**
     * The name ({@code comm}): between the first '(' and the last ')', spaces and parentheses kept.
     */
    public static String name(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /**
     * User plus system time in clock ticks: fields 14 and 15 of the line, counted after the name.
     *
     * @throws RuntimeException if the line is not such a line
     */
    public static long cpuTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (the state)
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
