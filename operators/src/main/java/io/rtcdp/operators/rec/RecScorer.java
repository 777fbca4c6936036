package io.rtcdp.operators.rec;

import io.rtcdp.operators.RecordIsolation;
import io.rtcdp.operators.profile.ItemsObservation;
import io.rtcdp.operators.profile.ProfileChange;
import io.rtcdp.udf.profile.Strings;
import io.rtcdp.udf.rec.ItemTable;
import io.rtcdp.udf.rec.NextPurchase;
import io.rtcdp.udf.rec.PurchasedItems;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The next-purchase stage, keyed by (tenant, oneid) like the profile stage, so one tenant's
 * profiles spread over every subtask: keeps each profile's items ({@link PurchasedItems}) and the
 * last {@code rec.next} it sent, and sends the profile's {@code rec.next} ({@link
 * NextPurchase#render} of {@link NextPurchase#recommend}, {@link NextPurchase#DEFAULT_COUNT} items)
 * to the decision stage whenever it changes. The tenants' item tables come broadcast from {@link
 * ItemTableMerger}.
 *
 * <p>A profile is scored against its tenant's table in force when its items change ({@link
 * ItemTable#EMPTY} before the tenant's first table: its own items, by their orders). When a new
 * table comes, every profile of the tenant on this subtask is scored again ({@code
 * applyToKeyedState}: a pass over this subtask's profiles) and each text that changed is sent: the
 * popularity and neighbours of other customers' items move everyone's recommendations. A profile
 * whose text is the empty string (no items, no table) sends nothing until it has one; a removed
 * profile's state is cleared and nothing is sent (the decision stage deletes the profile itself).
 *
 * <p>At the end of a bounded input every profile ends scored against the tenant's final table,
 * whatever the order in which observations and tables come: the final table comes after every
 * item's final statistics ({@link ItemTableMerger}), profiles already here are scored again when it
 * comes, and a profile's later observation is scored against it when it comes.
 */
public final class RecScorer
        extends KeyedBroadcastProcessFunction<
                String, ItemsObservation, Tuple2<String, byte[]>, ProfileChange> {
    private static final long serialVersionUID = 1L;

    public static final KeySelector<ItemsObservation, String> KEY = ItemsObservation::key;

    /** tenant → its item table in force ({@link ItemTable#toByteArray}). */
    public static final MapStateDescriptor<String, byte[]> TABLES =
            new MapStateDescriptor<>(
                    "rec-tables",
                    Types.STRING,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** The profile's items and the last text sent, in one value ({@link #encode}). */
    private static final ValueStateDescriptor<byte[]> PROFILE =
            new ValueStateDescriptor<>(
                    "rec-profile", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private transient ValueState<byte[]> profile;

    /** Decoded tables of the broadcast state, by tenant. */
    private transient Map<String, ItemTable> decoded;

    private transient Counter rescored;
    private transient Counter textsSent;
    private final RecordIsolation isolation = new RecordIsolation("rec");

    /** A profile as stored: its items and the {@code rec.next} last sent ("" for none). */
    record Profile(PurchasedItems items, String sent) {}

    @Override
    public void open(OpenContext ctx) {
        profile = getRuntimeContext().getState(PROFILE);
        decoded = new HashMap<>();
        rescored = getRuntimeContext().getMetricGroup().counter("recRescored");
        textsSent = getRuntimeContext().getMetricGroup().counter("recTextsSent");
        isolation.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(
            ItemsObservation o, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        isolation.run(
                () -> process(o, ctx, out),
                null,
                () -> "rec:" + o.tenant() + "/" + o.oneid(),
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
    }

    private void process(ItemsObservation o, ReadOnlyContext ctx, Collector<ProfileChange> out)
            throws Exception {
        if (o.isRemoval()) {
            // its last text goes with it: if it comes back, its text is news again
            profile.clear();
            return;
        }
        byte[] bytes = profile.value();
        Profile old = bytes == null ? null : decode(bytes);
        if (old != null && old.items().equals(o.items())) {
            return; // scored against the table in force already (new tables rescore it)
        }
        ItemTable table = table(o.tenant(), ctx.getBroadcastState(TABLES));
        String text =
                score(o.tenant(), o.oneid(), o.items(), old == null ? "" : old.sent(), table, out);
        profile.update(encode(new Profile(o.items(), text)));
    }

    @Override
    public void processBroadcastElement(
            Tuple2<String, byte[]> update, Context ctx, Collector<ProfileChange> out)
            throws Exception {
        String tenant = update.f0;
        ItemTable[] read = new ItemTable[1];
        isolation.run(
                () -> read[0] = ItemTable.fromByteArray(update.f1),
                null,
                () -> "rec:table:" + tenant,
                d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d));
        ItemTable table = read[0];
        if (table == null) {
            return; // unreadable: the table in force stays
        }
        ctx.getBroadcastState(TABLES).put(tenant, update.f1);
        decoded.put(tenant, table);
        ctx.applyToKeyedState(
                PROFILE,
                isolation.eachProfileOf(
                        tenant,
                        "rec",
                        (oneid, state) -> {
                            byte[] bytes = state.value();
                            if (bytes == null) {
                                return;
                            }
                            Profile p = decode(bytes);
                            String text = score(tenant, oneid, p.items(), p.sent(), table, out);
                            if (!text.equals(p.sent())) {
                                state.update(encode(new Profile(p.items(), text)));
                            }
                        },
                        d -> ctx.output(RecordIsolation.INTERNAL_ERRORS, d)));
    }

    /**
     * Scores one profile's items; sends the text if it differs from {@code sent}.
     *
     * @return the profile's text now (the one sent last, after this)
     */
    private String score(
            String tenant,
            String oneid,
            PurchasedItems items,
            String sent,
            ItemTable table,
            Collector<ProfileChange> out) {
        rescored.inc();
        String text =
                NextPurchase.render(
                        NextPurchase.recommend(items, table, NextPurchase.DEFAULT_COUNT));
        if (!text.equals(sent)) {
            textsSent.inc();
            out.collect(ProfileChange.ofRec(tenant, oneid, text));
        }
        return text;
    }

    /** The tenant's table in force, {@link ItemTable#EMPTY} before its first. */
    private ItemTable table(String tenant, ReadOnlyBroadcastState<String, byte[]> state)
            throws Exception {
        ItemTable t = decoded.get(tenant);
        if (t == null) {
            byte[] bytes = state.get(tenant);
            if (bytes == null) {
                return ItemTable.EMPTY;
            }
            t = ItemTable.fromByteArray(bytes);
            decoded.put(tenant, t);
        }
        return t;
    }

    /** A stored profile: its items ({@link PurchasedItems#write}), then the text last sent. */
    static byte[] encode(Profile p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            p.items().write(out);
            Strings.write(out, p.sent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Profile decode(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return new Profile(PurchasedItems.read(in), Strings.read(in));
        }
    }
}
