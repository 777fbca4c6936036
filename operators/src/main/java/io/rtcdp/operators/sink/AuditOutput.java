package io.rtcdp.operators.sink;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where the audit records of completed forgets go (docs/contract.md §3.6, §4): the audit topic in
 * streaming, a JSON-lines file (0600) in a replay. Written by the triggers stream committer once a
 * forget's last Redis deletes are done; at least once (a retried commit may write a record again,
 * with the same {@code forget_id}).
 */
public interface AuditOutput extends Serializable, AutoCloseable {

    /** Writes one audit record (a JSON object without PII), keyed by its tenant. */
    void write(String tenant, String json);

    @Override
    void close();

    /** A factory, serializable into the job graph; the output itself is opened by the committer. */
    interface Factory extends Serializable {
        AuditOutput open();
    }

    /**
     * Records to a Kafka topic, key = tenant; each write waits for the broker's acknowledgement.
     */
    static Factory kafka(String topic, Properties producerProperties) {
        return () -> {
            Properties p = new Properties();
            p.putAll(producerProperties);
            p.put("key.serializer", ByteArraySerializer.class.getName());
            p.put("value.serializer", ByteArraySerializer.class.getName());
            p.put("acks", "all");
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
            return new AuditOutput() {
                @Override
                public void write(String tenant, String json) {
                    try {
                        producer.send(
                                        new ProducerRecord<>(
                                                topic,
                                                tenant.getBytes(StandardCharsets.UTF_8),
                                                json.getBytes(StandardCharsets.UTF_8)))
                                .get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted writing an audit record", e);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException(
                                "audit record not written: " + e.getCause(), e.getCause());
                    }
                }

                @Override
                public void close() {
                    producer.close();
                }
            };
        };
    }

    /** Lines appended to a file created owner-only (0600), flushed per record. */
    static Factory file(Path path) {
        String name = path.toString();
        return () -> {
            Path p = Path.of(name);
            try {
                // every subtask of the committer opens it: the first creates it, the others
                // find it (or lose the race to create it) and narrow its permissions
                try {
                    try {
                        Files.createFile(
                                p,
                                PosixFilePermissions.asFileAttribute(
                                        PosixFilePermissions.fromString("rw-------")));
                    } catch (UnsupportedOperationException notPosix) {
                        Files.createFile(p);
                    }
                } catch (java.nio.file.FileAlreadyExistsException exists) {
                    try {
                        Files.setPosixFilePermissions(
                                p, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException notPosix) {
                        // not a POSIX file system: nothing to narrow
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new AuditOutput() {
                @Override
                public synchronized void write(String tenant, String json) {
                    try {
                        Files.writeString(
                                p, json + "\n", StandardOpenOption.APPEND, StandardOpenOption.SYNC);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public void close() {}
            };
        };
    }
}
