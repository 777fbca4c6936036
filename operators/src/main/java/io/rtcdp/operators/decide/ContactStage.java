package io.rtcdp.operators.decide;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.types.ContactRecordSerializer;
import io.rtcdp.udf.rules.ContactBook;
import io.rtcdp.udf.rules.ContactMessage;
import io.rtcdp.udf.rules.ContactRecord;
import io.rtcdp.udf.rules.Trigger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contact stage, keyed by tenant, after the decision stage and before the trigger sinks: one
 * contact history per person across merges ({@link ContactBook}, docs/oneid.md "Merges and the
 * contact history"). The triggers of profiles that never absorbed another pass through without a
 * state access; those of a profile that did are judged here (cooldown and cap) against the history
 * of every profile merged into it, held while a merged-away profile's history is on its way.
 * Triggers are few per event, so one subtask per tenant carries them, as the Redis stream writer
 * after it does.
 */
public final class ContactStage extends KeyedProcessFunction<String, ContactMessage, Trigger> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ContactStage.class);

    public static final KeySelector<ContactMessage, String> KEY = ContactMessage::key;

    private final long handOverTimeoutMillis;

    private transient MapState<String, ContactRecord> records;
    private transient MapState<String, String> aliases;
    private transient MapState<String, Long> waiting;
    private transient ContactBook book;
    private transient List<Trigger> emitted;
    private transient TimerService timers;
    private transient Counter judgedEmitted;
    private transient Counter suppressedCooldown;
    private transient Counter suppressedCap;
    private transient Counter held;
    private transient Counter handOvers;
    private transient Counter givenUp;
    private transient Counter droppedWithForget;
    private final RecordIsolation isolation = new RecordIsolation("contact");

    public ContactStage() {
        this(ContactBook.HAND_OVER_TIMEOUT_MILLIS);
    }

    /** With another wait before a missing hand-over is given up (tests). */
    ContactStage(long handOverTimeoutMillis) {
        this.handOverTimeoutMillis = handOverTimeoutMillis;
    }

    @Override
    public void open(OpenContext ctx) {
        records =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "contact-records",
                                        Types.STRING,
                                        ContactRecordSerializer.TYPE_INFO));
        aliases =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "contact-aliases", Types.STRING, Types.STRING));
        waiting =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "contact-waiting", Types.STRING, Types.LONG));
        emitted = new ArrayList<>(2);
        book = new ContactBook(new Store(), emitted::add);
        var g = getRuntimeContext().getMetricGroup();
        judgedEmitted = g.counter("contactTriggersJudgedEmitted");
        suppressedCooldown = g.counter("contactSuppressedCooldown");
        suppressedCap = g.counter("contactSuppressedCap");
        held = g.counter("contactCandidatesHeld");
        handOvers = g.counter("contactHandOvers");
        givenUp = g.counter("contactHandOversGivenUp");
        droppedWithForget = g.counter("contactCandidatesDroppedWithForget");
        isolation.open(g);
    }

    @Override
    public void processElement(ContactMessage m, Context ctx, Collector<Trigger> out)
            throws Exception {
        if (m.kind() == ContactMessage.Kind.TRIGGER && !m.trigger().isRetraction()) {
            out.collect(m.trigger()); // a profile that never absorbed another: as decided
            return;
        }
        timers = ctx.timerService();
        isolation.run(
                () -> book.accept(m, timers.currentProcessingTime()),
                null,
                () -> "contact:" + m.kind() + ":" + m.tenant() + "/" + m.oneid(),
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
        flush(out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Trigger> out)
            throws Exception {
        timers = ctx.timerService();
        long now = timers.currentProcessingTime();
        List<String> late = new ArrayList<>();
        for (Map.Entry<String, Long> e : waiting.entries()) {
            if (e.getValue() + handOverTimeoutMillis <= now) {
                late.add(e.getKey());
            }
        }
        for (String root : late) {
            isolation.run(
                    () -> book.giveUp(root),
                    null,
                    () -> "contact:timeout:" + ctx.getCurrentKey() + "/" + root,
                    d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
        }
        if (!late.isEmpty()) {
            LOG.warn(
                    "Tenant {}: {} profile(s) waited over {} ms for a merged profile's contact"
                            + " history; their held triggers were judged without it",
                    ctx.getCurrentKey(),
                    late.size(),
                    handOverTimeoutMillis);
        }
        flush(out);
    }

    private void flush(Collector<Trigger> out) {
        for (Trigger t : emitted) {
            out.collect(t);
        }
        emitted.clear();
        ContactBook.Counts c = book.counts;
        judgedEmitted.inc(c.emitted);
        suppressedCooldown.inc(c.suppressedCooldown);
        suppressedCap.inc(c.suppressedCap);
        held.inc(c.held);
        handOvers.inc(c.handOvers);
        givenUp.inc(c.givenUp);
        droppedWithForget.inc(c.droppedWithForget);
        c.emitted = 0;
        c.suppressedCooldown = 0;
        c.suppressedCap = 0;
        c.held = 0;
        c.handOvers = 0;
        c.givenUp = 0;
        c.droppedWithForget = 0;
    }

    /** The book's records in this key's (tenant's) state. */
    private final class Store implements ContactBook.Store {
        @Override
        public ContactRecord record(String oneid) throws Exception {
            return records.get(oneid);
        }

        @Override
        public void putRecord(String oneid, ContactRecord r) throws Exception {
            records.put(oneid, r);
        }

        @Override
        public void removeRecord(String oneid) throws Exception {
            records.remove(oneid);
        }

        @Override
        public String alias(String oneid) throws Exception {
            return aliases.get(oneid);
        }

        @Override
        public void putAlias(String oneid, String alias) throws Exception {
            aliases.put(oneid, alias);
        }

        @Override
        public void removeAlias(String oneid) throws Exception {
            aliases.remove(oneid);
        }

        @Override
        public void waiting(String root, long since) throws Exception {
            if (since < 0) {
                waiting.remove(root);
                return;
            }
            waiting.put(root, since);
            timers.registerProcessingTimeTimer(since + handOverTimeoutMillis);
        }
    }
}
