package io.rtcdp.operators.decide;

import io.rtcdp.udf.ml.MarketingDistribution;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * How the decision stage's subtasks share their marketing distributions: a global aggregate of the
 * JobManager (Flink's {@code GlobalAggregateManager}). Each subtask pushes its own counts per
 * tenant, replacing what it pushed before, and gets back every tenant's sum over the latest push of
 * each subtask, with how many subtasks have pushed and how many of them have reached the end of a
 * bounded input.
 *
 * <p>Pushes and sums travel as bytes, so that the JobManager's RPC never needs this jar's classes
 * (a session cluster has them only in the job's class loader, where this function is read). The
 * aggregate lives in the JobManager's memory: after a failover each subtask pushes again what it
 * restored, and a push of a new parallelism (a rescale) drops the pushes of the old one.
 */
final class MarketingExchange implements AggregateFunction<byte[], MarketingExchange.Acc, byte[]> {
    private static final long serialVersionUID = 1L;

    /** One subtask's counts. */
    record Push(int subtask, int parallelism, boolean finished, Map<String, byte[]> tenants) {
        byte[] toBytes() {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeInt(subtask);
                out.writeInt(parallelism);
                out.writeBoolean(finished);
                writeTenants(out, tenants);
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static Push fromBytes(byte[] b) {
            try {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
                return new Push(in.readInt(), in.readInt(), in.readBoolean(), readTenants(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Every tenant's sum, over {@code subtasks} pushes, {@code finished} of them final. */
    record Sum(int subtasks, int finished, Map<String, MarketingDistribution.Ranks> tenants) {
        static Sum fromBytes(byte[] b) {
            try {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
                int subtasks = in.readInt();
                int finished = in.readInt();
                Map<String, MarketingDistribution.Ranks> tenants = new TreeMap<>();
                readTenants(in)
                        .forEach((t, d) -> tenants.put(t, MarketingDistribution.ranksFromBytes(d)));
                return new Sum(subtasks, finished, tenants);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The latest push of each subtask, of the parallelism last pushed. */
    static final class Acc implements Serializable {
        private static final long serialVersionUID = 1L;
        int parallelism;
        final TreeMap<Integer, Push> pushes = new TreeMap<>();
    }

    @Override
    public Acc createAccumulator() {
        return new Acc();
    }

    @Override
    public Acc add(byte[] value, Acc acc) {
        Push p = Push.fromBytes(value);
        if (p.parallelism() != acc.parallelism) {
            acc.pushes.clear();
            acc.parallelism = p.parallelism();
        }
        acc.pushes.put(p.subtask(), p);
        return acc;
    }

    @Override
    public byte[] getResult(Acc acc) {
        Map<String, MarketingDistribution> sums = new TreeMap<>();
        int finished = 0;
        for (Push p : acc.pushes.values()) {
            if (p.finished()) {
                finished++;
            }
            p.tenants()
                    .forEach(
                            (t, d) ->
                                    sums.computeIfAbsent(t, x -> new MarketingDistribution())
                                            .addAll(MarketingDistribution.fromBytes(d)));
        }
        Map<String, byte[]> encoded = new TreeMap<>();
        sums.forEach((t, d) -> encoded.put(t, d.toBytes()));
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(acc.pushes.size());
            out.writeInt(finished);
            writeTenants(out, encoded);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Acc merge(Acc a, Acc b) {
        b.pushes.forEach(a.pushes::put);
        return a;
    }

    private static void writeTenants(DataOutputStream out, Map<String, byte[]> tenants)
            throws IOException {
        out.writeInt(tenants.size());
        for (Map.Entry<String, byte[]> e : tenants.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().length);
            out.write(e.getValue());
        }
    }

    private static Map<String, byte[]> readTenants(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, byte[]> tenants = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String t = in.readUTF();
            byte[] d = new byte[in.readInt()];
            in.readFully(d);
            tenants.put(t, d);
        }
        return tenants;
    }
}
