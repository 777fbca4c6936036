package io.rtcdp.operators.sink;

/**
 * One entry for a tenant's Redis stream (the triggers stream, docs/contract.md §3.1 and §5).
 *
 * @param tenant tenant, which names the stream
 * @param id the entry's deterministic id (a trigger's {@code trigger_id}); the sink writes each id
 *     at most once
 * @param fields field names and values, alternating; values are plain strings
 */
public record StreamEntry(String tenant, String id, String[] fields) {

    /**
     * Not an entry: the deletion of every entry of the tenant's stream written before it whose
     * {@code field} is {@code value} (a forgotten profile's triggers: field {@code oneid}).
     */
    public static StreamEntry deletion(String tenant, String field, String value) {
        return new StreamEntry(tenant, "", new String[] {field, value});
    }

    /** Whether this is a {@link #deletion}. */
    public boolean isDeletion() {
        return id.isEmpty() && !isAudit();
    }

    /** The first field name of an {@link #audit}. */
    static final String AUDIT = "\u0000audit";

    /**
     * Not an entry: an audit record to complete and write once the batch's deletions are done
     * ({@link AuditOutput}).
     */
    public static StreamEntry audit(String tenant, String partialJson, long appendedAt) {
        return new StreamEntry(
                tenant,
                "",
                new String[] {AUDIT, partialJson, "appended_at", Long.toString(appendedAt)});
    }

    /** Whether this is an {@link #audit}. */
    public boolean isAudit() {
        return id.isEmpty() && fields.length == 4 && AUDIT.equals(fields[0]);
    }
}
