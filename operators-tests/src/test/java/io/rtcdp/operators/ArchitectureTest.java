package io.rtcdp.operators;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.rtcdp.udf.arch.ArchitectureRules;

/** The architecture of operators' main classes: the Flink stages, below the job. */
@AnalyzeClasses(
        packages = "io.rtcdp.operators",
        importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTest {
    @ArchTest static final ArchTests COMMON = ArchTests.in(ArchitectureRules.class);

    /**
     * The stages know nothing of the job that wires them, its configuration or its CLI: each is
     * built from its own arguments, and tests run it alone. (Maven's dependencies keep this too;
     * the rule names it, and holds if classes move between the modules.)
     */
    @ArchTest
    static final ArchRule NOT_ON_JOBS =
            noClasses().should().dependOnClassesThat().resideInAPackage("io.rtcdp.jobs..");

    /** The synthetic data of {@code udf.gen} is for the demo, the bench and tests, not the job. */
    @ArchTest
    static final ArchRule NOT_ON_GENERATORS =
            noClasses().should().dependOnClassesThat().resideInAPackage("io.rtcdp.udf.gen..");
}
