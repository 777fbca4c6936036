package io.rtcdp.udf.event;

import io.rtcdp.udf.text.TextSignal;
import java.util.List;
import java.util.Map;

/**
 * A valid, normalised input event (docs/contract.md §1). PII ids are already replaced by their
 * HMAC. Immutable.
 *
 * @param tenant workspace, {@code [a-z0-9_-]{1,64}}
 * @param eventId unique per tenant
 * @param type event type
 * @param name event name for {@code track} (null otherwise, or when absent)
 * @param ts event time, epoch ms
 * @param channel optional channel, null when absent
 * @param ids at least one id, sorted strongest first ({@link Id#compareTo}); none once past the
 *     identity stage ({@link #withoutIds}), which has them in its commands' linked ids
 * @param amountMicros {@code props.amount} in millionths of the currency unit, null when absent
 * @param category {@code props.category}, null when absent
 * @param orderId {@code props.order_id}, null when absent
 * @param items the order lines of {@code props.items} of an {@code order_completed} or {@code
 *     order_refunded} event, in their order; empty when absent and on every other event (whose
 *     {@code props.items} is not read), never null
 * @param consentMarketing {@code consent.marketing}, null when absent
 * @param consentPersonalization {@code consent.personalization}, null when absent
 * @param traits scalar traits as strings, empty when absent
 * @param propsJson the {@code props} object as compact JSON, null when absent
 * @param ingestedAt wall-clock time (epoch ms) the event entered the job, for the freshness
 *     metrics; 0 when unknown. Not part of the input: the job stamps it after parsing.
 * @param text what the classifier read in {@code props.text}, null when the event has none; the
 *     text itself is not kept (it is not in {@code propsJson} either)
 */
public record Event(
        String tenant,
        String eventId,
        EventType type,
        String name,
        long ts,
        String channel,
        List<Id> ids,
        Long amountMicros,
        String category,
        String orderId,
        List<OrderItem> items,
        Boolean consentMarketing,
        Boolean consentPersonalization,
        Map<String, String> traits,
        String propsJson,
        long ingestedAt,
        TextSignal text) {

    /** Takes null order lines as none. */
    public Event {
        if (items == null) {
            items = List.of();
        }
    }

    /**
     * An event without order lines nor text signal whose ingest time is unknown (as parsed, before
     * the job stamps it).
     */
    public Event(
            String tenant,
            String eventId,
            EventType type,
            String name,
            long ts,
            String channel,
            List<Id> ids,
            Long amountMicros,
            String category,
            String orderId,
            Boolean consentMarketing,
            Boolean consentPersonalization,
            Map<String, String> traits,
            String propsJson) {
        this(
                tenant,
                eventId,
                type,
                name,
                ts,
                channel,
                ids,
                amountMicros,
                category,
                orderId,
                List.of(),
                consentMarketing,
                consentPersonalization,
                traits,
                propsJson,
                0L,
                null);
    }

    /** The same event, stamped with the wall-clock time it entered the job. */
    public Event withIngestedAt(long wallClockMillis) {
        return with(ids, wallClockMillis);
    }

    /**
     * The same event without its ids, as the identity stage passes it on: the stages after it key
     * by oneid and never read the event's ids, so they are not carried (nor serialized) three times
     * more.
     */
    public Event withoutIds() {
        return ids.isEmpty() ? this : with(List.of(), ingestedAt);
    }

    /**
     * The same event with {@code kept} as its traits, in their order (none when null or empty): the
     * part of its traits that a stage keeps (the fragment store keeps only the trait names the
     * tenant's rule set declares). The traits stay unmodifiable.
     */
    public Event withTraits(Map<String, String> kept) {
        Map<String, String> t =
                kept == null || kept.isEmpty()
                        ? Map.of()
                        : java.util.Collections.unmodifiableMap(
                                new java.util.LinkedHashMap<>(kept));
        return with(ids, ingestedAt, t);
    }

    private Event with(List<Id> newIds, long newIngestedAt) {
        return with(newIds, newIngestedAt, traits);
    }

    private Event with(List<Id> newIds, long newIngestedAt, Map<String, String> newTraits) {
        return new Event(
                tenant,
                eventId,
                type,
                name,
                ts,
                channel,
                newIds,
                amountMicros,
                category,
                orderId,
                items,
                consentMarketing,
                consentPersonalization,
                newTraits,
                propsJson,
                newIngestedAt,
                text);
    }

    public static final String ORDER_COMPLETED = "order_completed";
    public static final String ORDER_REFUNDED = "order_refunded";
    public static final String PRODUCT_VIEWED = "product_viewed";
    public static final String PRODUCT_ADDED = "product_added";

    /** The strongest id of the event. */
    public Id strongestId() {
        return ids.get(0);
    }

    public boolean isTrack(String trackName) {
        return type == EventType.TRACK && trackName.equals(name);
    }
}
