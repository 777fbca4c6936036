package io.rtcdp.udf.arch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;

/**
 * The architecture rules of every module, which each module's {@code ArchitectureTest} includes
 * ({@code ArchTests.in}) over its own main classes: a module's build fails on its own violation,
 * without waiting for the modules that depend on it. Between modules Maven already keeps the
 * direction (udf cannot see operators, operators cannot see jobs), so a cycle can only be within a
 * module, and checking each module's packages finds them all.
 *
 * <p>Here, in udf's test jar, because operators and jobs already use that jar in their tests.
 */
public final class ArchitectureRules {
    /**
     * Serializers in {@code operators.types} of records that belong to the stages that make them
     * ({@code decide}, {@code profile}, {@code sink}), while those stages use {@code types}. The
     * cycle is deliberate and kept: a serializer's class name, and its snapshot's, are written into
     * every checkpoint and savepoint, and Flink loads them by that name when it restores; moving
     * them next to their records would make the state of running deployments unreadable. A new
     * serializer of a stage's record goes into the stage's package (as {@code
     * sink.ProfileUpdateSerializer}, {@code identity.ConflictSerializer} do), so this list does not
     * grow.
     */
    private static final List<String> SERIALIZERS_KEPT_IN_TYPES =
            List.of(
                    "io.rtcdp.operators.types.LabelledExampleSerializer",
                    "io.rtcdp.operators.types.TrainerStateSerializer",
                    "io.rtcdp.operators.types.ProfileChangeSerializer",
                    "io.rtcdp.operators.types.RfmObservationSerializer");

    /** No package depends on itself through others (see {@link #SERIALIZERS_KEPT_IN_TYPES}). */
    @ArchTest
    public static final ArchRule NO_PACKAGE_CYCLES =
            slices().matching("io.rtcdp.(**)")
                    .should()
                    .beFreeOfCycles()
                    .ignoreDependency(
                            keptInTypes(),
                            resideInAnyPackage(
                                    "io.rtcdp.operators.decide..",
                                    "io.rtcdp.operators.profile..",
                                    "io.rtcdp.operators.sink.."));

    /**
     * A package named {@code internal} is an implementation detail of its parent package: only
     * classes in the parent package (and below) use it. None exists yet; the rule is there for the
     * first.
     */
    @ArchTest
    public static final ArchRule INTERNALS_STAY_INTERNAL =
            classes().should(useInternalPackagesOnlyBelowTheirParent());

    private ArchitectureRules() {}

    private static DescribedPredicate<JavaClass> keptInTypes() {
        return DescribedPredicate.describe(
                "serializers kept in operators.types for their state's class names",
                c ->
                        SERIALIZERS_KEPT_IN_TYPES.stream()
                                .anyMatch(
                                        s ->
                                                c.getName().equals(s)
                                                        || c.getName().startsWith(s + "$")));
    }

    private static ArchCondition<JavaClass> useInternalPackagesOnlyBelowTheirParent() {
        return new ArchCondition<>("use classes of an internal package only below its parent") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                    String parent = internalParent(d.getTargetClass().getPackageName());
                    String from = origin.getPackageName();
                    if (parent != null && !from.equals(parent) && !from.startsWith(parent + ".")) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                }
            }
        };
    }

    /** The package above the first {@code internal} segment of {@code pkg}, or null if none. */
    private static String internalParent(String pkg) {
        String p = "." + pkg + ".";
        int i = p.indexOf(".internal.");
        return i < 0 ? null : p.substring(1, Math.max(1, i));
    }
}
