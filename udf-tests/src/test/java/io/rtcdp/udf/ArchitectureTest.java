package io.rtcdp.udf;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.rtcdp.udf.arch.ArchitectureRules;

/** The architecture of udf's main classes: domain logic that runs without Flink. */
@AnalyzeClasses(packages = "io.rtcdp.udf", importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTest {
    @ArchTest static final ArchTests COMMON = ArchTests.in(ArchitectureRules.class);

    /**
     * udf runs in plain JVMs (the CLI's offline commands, the tests, the benchmarks) and is what
     * operators wrap: it uses no Flink. The one exception is Flink ML's servable API (models are
     * served through {@code ModelServable}, README), which is a plain library that pulls no Flink
     * runtime (docs/models.md); the next rule keeps it in {@code udf.ml}.
     */
    @ArchTest
    static final ArchRule NO_FLINK =
            noClasses()
                    .should()
                    .dependOnClassesThat(
                            resideInAPackage("org.apache.flink..")
                                    .and(resideInAPackage("org.apache.flink.ml..").negate()));

    /** Only the model serving of {@code udf.ml} uses Flink ML; everything else reads its models. */
    @ArchTest
    static final ArchRule FLINK_ML_ONLY_IN_ML =
            noClasses()
                    .that()
                    .resideOutsideOfPackage("io.rtcdp.udf.ml..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("org.apache.flink.ml..");
}
