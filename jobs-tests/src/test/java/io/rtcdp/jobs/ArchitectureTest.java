package io.rtcdp.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.rtcdp.udf.arch.ArchitectureRules;

/**
 * The architecture of jobs' main classes: the job itself ({@code io.rtcdp.jobs}: graph,
 * configuration, replay) and, around it, what launches it on a laptop (CLI, demo, bench, the local
 * Kafka and Redis).
 */
@AnalyzeClasses(packages = "io.rtcdp.jobs", importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTest {
    @ArchTest static final ArchTests COMMON = ArchTests.in(ArchitectureRules.class);

    /**
     * The job a platform team ships runs without the launcher's parts: it depends on none of the
     * CLI, the demo, the bench, the in-JVM Kafka and Redis, or the synthetic data generators, so
     * those can stay out of the job's jar.
     */
    @ArchTest
    static final ArchRule JOB_WITHOUT_LAUNCHER =
            noClasses()
                    .that()
                    .resideInAPackage("io.rtcdp.jobs")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "io.rtcdp.jobs.cli..",
                            "io.rtcdp.jobs.demo..",
                            "io.rtcdp.jobs.bench..",
                            "io.rtcdp.jobs.local..",
                            "io.rtcdp.udf.gen..");

    /** The CLI is the top: the demo, the bench and the job are used by it, never the reverse. */
    @ArchTest
    static final ArchRule CLI_ON_TOP =
            noClasses()
                    .that()
                    .resideOutsideOfPackage("io.rtcdp.jobs.cli..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("io.rtcdp.jobs.cli..");
}
