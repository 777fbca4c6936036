package io.rtcdp.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.DeadLetter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDBException;

class RecordIsolationTest {

    @Test
    void aFailureBecomesAnInternalDeadLetterNamingTheStage() throws Exception {
        RecordIsolation iso = new RecordIsolation("profile");
        SimpleCounter counted = new SimpleCounter();
        iso.open(
                new UnregisteredMetricsGroup() {
                    @Override
                    public UnregisteredMetricsGroup addGroup(String key, String value) {
                        assertThat(key).isEqualTo("errorCode");
                        assertThat(value).isEqualTo("internal");
                        return new UnregisteredMetricsGroup() {
                            @Override
                            public <C extends org.apache.flink.metrics.Counter> C counter(
                                    String name, C c) {
                                return c;
                            }

                            @Override
                            public org.apache.flink.metrics.Counter counter(String name) {
                                return counted;
                            }
                        };
                    }
                });
        DeadLetter d =
                iso.isolate(
                        new IllegalStateException("boom", new ArithmeticException("overflow")),
                        "{\"event_id\":\"e1\"}",
                        "profile:EVENT:acme/o1");
        assertThat(d.error()).isEqualTo("internal");
        assertThat(d.source()).isEqualTo("profile:EVENT:acme/o1");
        assertThat(d.payload()).isEqualTo("{\"event_id\":\"e1\"}");
        assertThat(d.message())
                .isEqualTo(
                        "stage profile failed on this record: java.lang.IllegalStateException:"
                                + " boom <- java.lang.ArithmeticException: overflow");
        assertThat(counted.getCount()).isEqualTo(1);
    }

    @Test
    void stateBackendFailuresAndInterruptionAreNotIsolated() {
        RecordIsolation iso = new RecordIsolation("identity");
        iso.open(new UnregisteredMetricsGroup());
        Exception disk =
                new org.apache.flink.util.FlinkRuntimeException(
                        "Error while retrieving data from RocksDB", new RocksDBException("EIO"));
        assertThatThrownBy(() -> iso.isolate(disk, null, "x")).isSameAs(disk);
        Exception cancelled = new InterruptedException();
        assertThatThrownBy(() -> iso.isolate(cancelled, null, "x")).isSameAs(cancelled);
    }

    @Test
    void aStageThatFailsOnEveryRecordFailsAfterAll() throws Exception {
        RecordIsolation iso = new RecordIsolation("decide");
        iso.open(new UnregisteredMetricsGroup());
        Exception bug = new NullPointerException();
        for (int i = 1; i < RecordIsolation.MAX_CONSECUTIVE; i++) {
            iso.isolate(bug, null, "x");
            if (i % 1000 == 0) {
                // one success resets the run
                iso.succeeded();
            }
        }
        for (int i = 1; i < RecordIsolation.MAX_CONSECUTIVE - 1000; i++) {
            iso.isolate(bug, null, "x");
        }
        assertThatThrownBy(
                        () -> {
                            for (int i = 0; i < 1001; i++) {
                                iso.isolate(bug, null, "x");
                            }
                        })
                .isSameAs(bug);
    }
}
