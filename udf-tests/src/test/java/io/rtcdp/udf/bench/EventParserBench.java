package io.rtcdp.udf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.InvalidEventException;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.event.PiiHasher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Throughput of {@link EventParser} on one thread over typical events (~300 bytes, 2-3 ids, small
 * props, a mix of epoch and ISO timestamps), with the cost of its parts and of a Jackson tree parse
 * of the same records for reference.
 *
 * <p>Run: {@code java -cp <test classpath> io.rtcdp.udf.bench.EventParserBench [JMH options]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EventParserBench {

    /** Typical records; the bench cycles through them so that branches stay realistic. */
    static final String[] TYPICAL = {
        "{\"event_id\":\"0f8a1c2e-4b7d-4e21-9a55-000000000001\",\"tenant\":\"acme\",\"type\":\"track\","
                + "\"name\":\"product_viewed\",\"ts\":1700000000000,\"channel\":\"app\","
                + "\"ids\":{\"user_id\":\"u-10293847\",\"device_id\":\"8F14E45F-CEEA-467F-A0E6-1B8C9D2E7F30\"},"
                + "\"props\":{\"sku\":\"SKU-448812\",\"category\":\"shoes\",\"price\":399.0}}",
        "{\"event_id\":\"0f8a1c2e-4b7d-4e21-9a55-000000000002\",\"tenant\":\"acme\",\"type\":\"track\","
                + "\"name\":\"order_completed\",\"ts\":\"2023-11-14T22:13:20.123+08:00\",\"channel\":\"web\","
                + "\"ids\":{\"user_id\":\"u-10293847\",\"phone\":\"138-0013-8000\",\"cookie_id\":\"c9f0e1d2a3b4\"},"
                + "\"props\":{\"order_id\":\"SO-2023-000812\",\"amount\":1299.50,\"currency\":\"CNY\"}}",
        "{\"event_id\":\"0f8a1c2e-4b7d-4e21-9a55-000000000003\",\"tenant\":\"globex\",\"type\":\"page\","
                + "\"name\":\"home\",\"ts\":1700000100000,\"channel\":\"web\","
                + "\"ids\":{\"cookie_id\":\"c-77a8b9c0d1e2f3a4\",\"email\":\"Jane.Doe@Example.com\"},"
                + "\"props\":{\"url\":\"https://shop.example.com/\",\"referrer\":\"https://www.google.com/\"}}",
        "{\"event_id\":\"0f8a1c2e-4b7d-4e21-9a55-000000000004\",\"tenant\":\"acme\",\"type\":\"identify\","
                + "\"ts\":1700000200000,\"channel\":\"miniprogram\","
                + "\"ids\":{\"union_id\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\",\"phone\":\"+86 139 1234 5678\"},"
                + "\"traits\":{\"city\":\"Shanghai\",\"gender\":\"f\",\"member_level\":\"gold\"}}",
        "{\"event_id\":\"0f8a1c2e-4b7d-4e21-9a55-000000000005\",\"tenant\":\"acme\",\"type\":\"track\","
                + "\"name\":\"product_added\",\"ts\":1700000300000,\"channel\":\"app\","
                + "\"ids\":{\"user_id\":\"u-55510001\",\"device_id\":\"a1b2c3d4e5f60718\",\"cookie_id\":\"c-1\"},"
                + "\"props\":{\"sku\":\"SKU-1001\",\"category\":\"bags\",\"quantity\":2,\"amount\":259}}",
        "{\"event_id\":\"0f8a1c2e-4b7d-4e21-9a55-000000000006\",\"tenant\":\"acme\",\"type\":\"track\","
                + "\"name\":\"search\",\"ts\":\"2023-11-14T14:20:00Z\",\"channel\":\"web\","
                + "\"ids\":{\"cookie_id\":\"c-9a8b7c6d5e4f\",\"email\":\"li.wei@example.cn\"},"
                + "\"props\":{\"text\":\"running shoes\",\"results\":42}}",
    };

    private EventParser parser;
    private PiiHasher hasher;
    private ObjectMapper mapper;
    private byte[][] records;
    private int next;

    @Setup
    public void setUp() {
        ParserConfig config =
                ParserConfig.builder()
                        .tenantSecret("acme", "acme-secret-0123456789abcdef-0123")
                        .clock(() -> 1_700_100_000_000L)
                        .build();
        parser = new EventParser(config);
        hasher = new PiiHasher(config);
        mapper = new ObjectMapper();
        records = new byte[TYPICAL.length][];
        for (int i = 0; i < TYPICAL.length; i++) {
            records[i] = TYPICAL[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    private byte[] nextRecord() {
        byte[] r = records[next];
        next = next + 1 == records.length ? 0 : next + 1;
        return r;
    }

    /** The whole job of the parser: validate, normalise, hash, build the event. */
    @Benchmark
    public Event parse() throws InvalidEventException {
        return parser.parse(nextRecord());
    }

    /** Reference: Jackson's tree model alone, before any validation. */
    @Benchmark
    public JsonNode jacksonReadTree() throws IOException {
        return mapper.readTree(nextRecord());
    }

    /** One PII hash, of which a typical event needs 0-2. */
    @Benchmark
    public String hmac() {
        return hasher.hash("acme", "phone", "+8613800138000");
    }

    public static void main(String[] args) throws RunnerException {
        Options cli;
        try {
            cli = new CommandLineOptions(args);
        } catch (org.openjdk.jmh.runner.options.CommandLineOptionException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Options options =
                new OptionsBuilder()
                        .parent(cli)
                        .include(EventParserBench.class.getName() + ".*")
                        .build();
        new Runner(options).run();
    }
}
