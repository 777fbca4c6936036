package io.rtcdp.udf.identity;

import io.rtcdp.udf.event.Id;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code merges} field of a profile (docs/contract.md §3.2): its merge history, newest first,
 * as {@code oneid@eventTime via type:value} entries separated by commas. The value of a PII id is
 * its HMAC; in other values {@code %} and {@code ,} are written {@code %25} and {@code %2C}, so an
 * id value cannot end an entry early and forge another one.
 */
public final class MergeHistory {
    private MergeHistory() {}

    /** One entry as read back: the merged-away oneid, the event time of the merge, the id. */
    public record Entry(String mergedAway, long ts, Id via) {}

    /** The field for a history given oldest first; null when it is empty. */
    public static String render(List<OneIdInfo.MergeRecord> oldestFirst) {
        if (oldestFirst.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder(64 * oldestFirst.size());
        for (int i = oldestFirst.size() - 1; i >= 0; i--) {
            OneIdInfo.MergeRecord r = oldestFirst.get(i);
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(r.mergedAway()).append('@').append(r.ts()).append(" via ");
            sb.append(r.via().type()).append(':');
            escape(r.via().value(), sb);
        }
        return sb.toString();
    }

    /**
     * The entries of a field written by {@link #render}, newest first.
     *
     * @throws IllegalArgumentException if it is not such a field
     */
    public static List<Entry> parse(String field) {
        List<Entry> out = new ArrayList<>();
        for (String m : field.split(",")) {
            int at = m.indexOf('@');
            int via = m.indexOf(" via ", at + 1);
            int colon = via < 0 ? -1 : m.indexOf(':', via + 5);
            if (at <= 0 || via < 0 || colon < 0) {
                throw new IllegalArgumentException("not a merge history entry: " + m);
            }
            long ts;
            try {
                ts = Long.parseLong(m.substring(at + 1, via));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a merge history entry: " + m, e);
            }
            out.add(
                    new Entry(
                            m.substring(0, at),
                            ts,
                            new Id(m.substring(via + 5, colon), unescape(m.substring(colon + 1)))));
        }
        return out;
    }

    private static void escape(String value, StringBuilder sb) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c == '%') {
                sb.append("%25");
            } else if (c == ',') {
                sb.append("%2C");
            } else {
                sb.append(c);
            }
        }
    }

    private static String unescape(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        return s.replace("%2C", ",").replace("%25", "%");
    }
}
