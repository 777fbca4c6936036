package io.rtcdp.udf.time;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * Parsing of the time forms of docs/contract.md: event {@code ts} strings (§1.3) and CLI TIME
 * arguments (§8.2).
 */
public final class Times {

    /** What {@link #parseTime} accepts, for error messages. */
    public static final String TIME_FORMS =
            "an ISO-8601 date (2011-09-01, midnight UTC), an ISO-8601 date-time with offset"
                    + " (2011-09-01T08:00:00+08:00) or epoch milliseconds (1314835200000)";

    private static final int[] POW10 = {
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000
    };

    private Times() {}

    /**
     * Parses a CLI TIME argument (docs/contract.md §8.2): an ISO-8601 date (midnight UTC), an
     * ISO-8601 date-time with offset, or epoch milliseconds.
     *
     * @throws IllegalArgumentException with a one-line message naming the accepted forms
     */
    public static long parseTime(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing time: use " + TIME_FORMS);
        }
        String s = text.strip();
        try {
            if (!s.isEmpty() && allDigits(s)) {
                return Long.parseLong(s);
            }
            if (s.length() == 10 && s.charAt(4) == '-') {
                return LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE).toEpochDay()
                        * 86_400_000L;
            }
            return parseEventTs(s);
        } catch (DateTimeException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("invalid time '" + text + "': use " + TIME_FORMS, e);
        }
    }

    /**
     * Parses an ISO-8601 date-time with offset ({@code 2011-01-02T10:00:00Z}, {@code
     * 2011-01-02T10:00:00.250+08:00}) to epoch milliseconds, truncating sub-millisecond digits.
     *
     * <p>Event timestamps almost always come in the shape {@code
     * yyyy-MM-ddTHH:mm:ss[.f](Z|±HH:MM)}; that shape is decoded by hand because {@link
     * DateTimeFormatter} costs several microseconds per call, which is more than the rest of event
     * parsing. Every other string goes to {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}, which
     * therefore defines what is accepted.
     *
     * @throws DateTimeException when the string is not such a date-time, or out of range
     */
    public static long parseEventTs(String s) {
        long fast = parseCommonShape(s);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(s, Instant::from).toEpochMilli();
        } catch (ArithmeticException e) {
            throw new DateTimeException("date-time out of the epoch-millisecond range", e);
        }
    }

    /**
     * Decodes {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)}; returns {@code Long.MIN_VALUE} when
     * the string has any other shape, so that the general parser decides. Field ranges are checked
     * exactly as the strict ISO resolver does (a shape match with an invalid day still throws).
     */
    private static long parseCommonShape(String s) {
        int n = s.length();
        if (n < 20
                || n > 35
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0
                || hour > 23
                || minute > 59
                || second > 59) {
            return Long.MIN_VALUE;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && isDigit(s.charAt(i))) {
                nanos = nanos * 10 + (s.charAt(i) - '0');
                i++;
            }
            int count = i - start;
            if (count == 0) {
                return Long.MIN_VALUE;
            }
            nanos *= POW10[9 - count];
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6
                && (s.charAt(i) == '+' || s.charAt(i) == '-')
                && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if ((oh | om) < 0 || oh > 17 || om > 59) {
                return Long.MIN_VALUE;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return Long.MIN_VALUE;
        }
        // LocalDate.of applies the calendar (month lengths, leap years) and throws like the
        // resolver.
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        long epochSecond = epochDay * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
        return epochSecond * 1000 + nanos / 1_000_000;
    }

    /** The value of {@code len} ASCII digits at {@code from}, or -1 when any is not a digit. */
    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
