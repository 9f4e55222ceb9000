package io.meterline.platform;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walls between the platform's packages, read from the compiled main classes (Micronaut's
 * generated bean definitions included, so a wiring that only exists after annotation processing counts
 * too). Features may depend on each other one way only; the ground floor ({@code common}, {@code time},
 * {@code mail}, {@code bus}) is what every feature may use and itself uses no feature, so a helper
 * that needs a feature belongs in that feature, and a feature that needs another to act on a change
 * publishes an application event instead of importing it (pricing's {@code RateSet}).
 */
class PackageDependenciesTest {

    private static final String PLATFORM = "io.meterline.platform";

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(PLATFORM);
    }

    @Test
    void noCyclesBetweenTopLevelPackages() {
        slices().matching(PLATFORM + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void commonUsesNoOtherPlatformPackage() {
        usesOnly("common").check(classes);
    }

    @Test
    void timeMailAndBusUseOnlyCommon() {
        usesOnly("time", "common").check(classes);
        usesOnly("mail", "common").check(classes);
        usesOnly("bus", "common").check(classes);
    }

    /** No class of the package depends on a platform class outside itself and the allowed packages. */
    private static ArchRule usesOnly(String groundFloor, String... allowed) {
        List<String> inside = Stream.concat(Stream.of(groundFloor), Stream.of(allowed)).map(name -> PLATFORM + "." + name).toList();
        DescribedPredicate<JavaClass> elsewhere = DescribedPredicate.describe("platform classes outside " + inside,
                target -> target.getPackageName().startsWith(PLATFORM + ".")
                        && inside.stream().noneMatch(name -> target.getPackageName().equals(name) || target.getPackageName().startsWith(name + ".")));
        return noClasses().that().resideInAPackage(PLATFORM + "." + groundFloor + "..").should().dependOnClassesThat(elsewhere);
    }
}
