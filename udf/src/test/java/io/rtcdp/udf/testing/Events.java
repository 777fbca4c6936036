package io.rtcdp.udf.testing;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.text.TextSignal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Events for tests, built fluently with defaults, so that a test names only what it is about
 * instead of retyping the 16 fields of {@link Event}, and a new field of {@code Event} is added
 * here once.
 *
 * <pre>{@code
 * Event e = Events.track(Event.ORDER_COMPLETED).at(ts).userId("u1").amountMicros(25_000_000L).build();
 * Event p = Events.page().tenant("t2").ids(new Id("cookie_id", "c1")).build();
 * }</pre>
 *
 * <p>The defaults: tenant {@code acme}, event id {@code e-<ts>}, time {@link #T0}, ids {@code
 * user_id:u1}, traits and order lines empty, everything optional absent, ingest time unknown (0).
 * Ids are kept in the order given; the parser's are strongest first.
 */
public final class Events {
    /** The default event time: 2023-11-14T22:13:20Z. */
    public static final long T0 = 1_700_000_000_000L;

    private Events() {}

    /** A {@code track} event named {@code name}. */
    public static Builder track(String name) {
        return of(EventType.TRACK).name(name);
    }

    /** A {@code page} event. */
    public static Builder page() {
        return of(EventType.PAGE);
    }

    /** An event of {@code type}, without a name. */
    public static Builder of(EventType type) {
        return new Builder(type);
    }

    /** A builder holding every field of {@code e}, to change some. */
    public static Builder from(Event e) {
        Builder b = new Builder(e.type());
        b.tenant = e.tenant();
        b.eventId = e.eventId();
        b.name = e.name();
        b.ts = e.ts();
        b.channel = e.channel();
        b.ids = e.ids();
        b.amountMicros = e.amountMicros();
        b.category = e.category();
        b.orderId = e.orderId();
        b.items = e.items();
        b.consentMarketing = e.consentMarketing();
        b.consentPersonalization = e.consentPersonalization();
        b.traits = e.traits();
        b.propsJson = e.propsJson();
        b.ingestedAt = e.ingestedAt();
        b.text = e.text();
        return b;
    }

    /** The fields of one event; each setter returns the builder. */
    public static final class Builder {
        private final EventType type;
        private String tenant = "acme";
        private String eventId;
        private String name;
        private long ts = T0;
        private String channel;
        private List<Id> ids = List.of(new Id("user_id", "u1"));
        private Long amountMicros;
        private String category;
        private String orderId;
        private List<OrderItem> items = List.of();
        private Boolean consentMarketing;
        private Boolean consentPersonalization;
        private Map<String, String> traits = Map.of();
        private String propsJson;
        private long ingestedAt;
        private TextSignal text;

        private Builder(EventType type) {
            this.type = type;
        }

        public Builder tenant(String tenant) {
            this.tenant = tenant;
            return this;
        }

        /** The event id; {@code e-<ts>} unless set. */
        public Builder eventId(String eventId) {
            this.eventId = eventId;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The event time, epoch ms. */
        public Builder at(long ts) {
            this.ts = ts;
            return this;
        }

        public Builder channel(String channel) {
            this.channel = channel;
            return this;
        }

        /** The ids, in this order (none is allowed: for tests of what rejects that). */
        public Builder ids(Id... ids) {
            return ids(Arrays.asList(ids));
        }

        public Builder ids(List<Id> ids) {
            this.ids = List.copyOf(ids);
            return this;
        }

        /** The one id {@code user_id:<userId>}. */
        public Builder userId(String userId) {
            return ids(new Id("user_id", userId));
        }

        public Builder amountMicros(Long amountMicros) {
            this.amountMicros = amountMicros;
            return this;
        }

        public Builder category(String category) {
            this.category = category;
            return this;
        }

        public Builder orderId(String orderId) {
            this.orderId = orderId;
            return this;
        }

        /** The order lines ({@code props.items} of an order); none unless set. */
        public Builder items(OrderItem... items) {
            this.items = List.of(items);
            return this;
        }

        public Builder consent(Boolean marketing, Boolean personalization) {
            this.consentMarketing = marketing;
            this.consentPersonalization = personalization;
            return this;
        }

        public Builder traits(Map<String, String> traits) {
            this.traits = traits;
            return this;
        }

        public Builder propsJson(String propsJson) {
            this.propsJson = propsJson;
            return this;
        }

        /** The wall-clock time the event entered the job; 0 (unknown) unless set. */
        public Builder ingestedAt(long ingestedAt) {
            this.ingestedAt = ingestedAt;
            return this;
        }

        /** The signals of the event's {@code props.text}; none unless set. */
        public Builder text(TextSignal text) {
            this.text = text;
            return this;
        }

        public Event build() {
            return new Event(
                    tenant,
                    eventId != null ? eventId : "e-" + ts,
                    type,
                    name,
                    ts,
                    channel,
                    ids,
                    amountMicros,
                    category,
                    orderId,
                    items,
                    consentMarketing,
                    consentPersonalization,
                    traits,
                    propsJson,
                    ingestedAt,
                    text);
        }
    }
}
