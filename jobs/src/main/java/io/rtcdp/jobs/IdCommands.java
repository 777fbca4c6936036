package io.rtcdp.jobs;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdNormalizer;
import io.rtcdp.udf.event.IdTypes;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.event.PiiHasher;
import io.rtcdp.udf.identity.IdCommand;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Operators' commands to the identity stage ({@code rtcdp ids}, docs/contract.md §4.5 and §8): made
 * from an id as a person types it, normalised and hashed as the job does, and sent to the commands
 * topic.
 */
public final class IdCommands {
    private static final Pattern TENANT = Pattern.compile("[a-z0-9_-]{1,64}");

    private IdCommands() {}

    /**
     * A release of {@code typeAndValue} ({@code TYPE:VALUE}, as in {@code rtcdp profile}) of {@code
     * tenant}, issued at {@code issuedAt}: the value normalised, and hashed with the tenant's
     * secret for PII types.
     *
     * @throws IllegalArgumentException of one line when an argument or the configuration is not
     *     usable
     */
    public static IdCommand release(
            RtcdpConfig cfg, String tenant, String typeAndValue, long issuedAt) {
        if (!TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("--tenant must match [a-z0-9_-]{1,64}");
        }
        ParserConfig pc = cfg.parser();
        Id id = idArgument(pc, tenant, typeAndValue);
        if (pc.isPii(tenant, id.type()) && pc.usesDevSecret(tenant)) {
            // the job refuses to run with it: an id hashed with it would not be the job's id
            throw new IllegalArgumentException(
                    "no PII secret configured: "
                            + id.type()
                            + " is hashed with the job's secret; give the job's default-secret"
                            + " (and tenant-secret.<tenant>) with --config or -D");
        }
        return IdCommand.release(tenant, id, issuedAt);
    }

    /**
     * An {@code --id TYPE:VALUE} argument as the job keeps it for {@code tenant}: normalised, and
     * hashed when the type is PII for that tenant (docs/contract.md §2.1, §2.2).
     *
     * @throws IllegalArgumentException (one line) for a malformed argument, an unknown type or a
     *     value that is no usable id
     */
    public static Id idArgument(ParserConfig pc, String tenant, String typeAndValue) {
        int colon = typeAndValue.indexOf(':');
        if (colon <= 0 || colon == typeAndValue.length() - 1) {
            throw new IllegalArgumentException(
                    "--id must be TYPE:VALUE, e.g. phone:+8613800138000, got " + typeAndValue);
        }
        String type = typeAndValue.substring(0, colon);
        if (!IdTypes.isKnown(type)) {
            throw new IllegalArgumentException(
                    "unknown id type '"
                            + type
                            + "'; use one of "
                            + IdTypes.BUILT_IN
                            + " or x_<name>");
        }
        String value =
                IdNormalizer.normalize(
                        type, typeAndValue.substring(colon + 1), pc.countryCodeFor(tenant));
        if (value == null) {
            throw new IllegalArgumentException(
                    "'" + typeAndValue + "' is not a usable " + type + " (docs/contract.md §2.1)");
        }
        return new Id(type, new PiiHasher(pc).protect(tenant, type, value));
    }

    /** Sends {@code c} to the commands topic and waits for the broker's acknowledgement. */
    public static RecordMetadata send(RtcdpConfig cfg, IdCommand c)
            throws InterruptedException, ExecutionException {
        Properties p = KafkaClientProperties.of(cfg);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.get(RtcdpOptions.KAFKA_BOOTSTRAP));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            return producer.send(
                            new ProducerRecord<>(
                                    cfg.get(RtcdpOptions.COMMANDS_TOPIC),
                                    c.tenant().getBytes(StandardCharsets.UTF_8),
                                    c.toJson().getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
    }
}
