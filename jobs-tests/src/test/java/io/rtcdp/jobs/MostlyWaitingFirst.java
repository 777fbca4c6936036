package io.rtcdp.jobs;

import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * The order of this module's test classes (junit-platform.properties): those that mostly wait run
 * first, the others after them in their usual order. The build is parallel (.mvn/maven.config), and
 * deploy's tests, which start standalone Flink clusters and need the jobs jars, begin together with
 * this module's: beside a test that waits (for a Redis outage to end, a checkpoint interval, a
 * quiet spell) they find a core free, beside a replay they compete with it for both. Nothing a test
 * asserts depends on the order; each class starts its own cluster, broker and Redis.
 *
 * <p>The classes, and the share of the machine's two cores in use while each ran alone in a CI
 * build (docs/bench/2026-12-07-ci-parallel-modules.md): 31–60 %, against 85–96 % for the replays.
 */
public final class MostlyWaitingFirst implements ClassOrderer {
    static final List<String> MOSTLY_WAITING =
            List.of(
                    "io.rtcdp.jobs.cli.OperabilityITCase",
                    "io.rtcdp.jobs.RedisOutageITCase",
                    "io.rtcdp.jobs.QuietEventsITCase",
                    "io.rtcdp.jobs.ForgetITCase",
                    "io.rtcdp.jobs.TriggerITCase",
                    "io.rtcdp.jobs.cli.TextSignalsITCase",
                    "io.rtcdp.jobs.KafkaSecurityITCase",
                    "io.rtcdp.jobs.CanaryScanITCase");

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors()
                .sort(
                        Comparator.comparingInt(
                                d -> {
                                    int i = MOSTLY_WAITING.indexOf(d.getTestClass().getName());
                                    return i < 0 ? MOSTLY_WAITING.size() : i;
                                }));
    }
}
