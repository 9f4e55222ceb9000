package io.meterline.plugin.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The walls around the plugins, read from the modules' compiled main classes (tests are left out).
 *
 * <ul>
 *   <li>No plugin class (first-party plugin, SPI, toolkit, test kit) uses the platform: a partner's
 *       plugin loads in a class loader that sees only the JDK and the SPI, and first-party plugins must
 *       be writable the same way.</li>
 *   <li>The SPI uses only the JDK and itself: it is what a partner compiles against.</li>
 *   <li>The toolkit uses only the JDK and itself, not even the SPI: it is shaded into each plugin's jar,
 *       and an SPI type inside it would be a second copy of the contract.</li>
 *   <li>No plugin uses another: first-party plugins share the platform's class path, which a partner's
 *       plugin does not.</li>
 * </ul>
 *
 * {@link PluginWallsCatchLeaksTest} shows each rule failing on a class that breaks it.
 */
@AnalyzeClasses(packages = "io.meterline.plugin", importOptions = ImportOption.DoNotIncludeTests.class)
class PluginWallsTest {

    static final String SPI = "io.meterline.plugin.spi..";
    static final String TOOLKIT = "io.meterline.plugin.toolkit..";

    @ArchTest
    static final ArchRule pluginsNeverUseThePlatform = noClasses().that().resideInAPackage("io.meterline.plugin..")
            .should().dependOnClassesThat().resideInAPackage("io.meterline.platform..")
            .because("a plugin loads in a class loader that shares only the SPI with the platform");

    @ArchTest
    static final ArchRule spiUsesOnlyTheJdk = classes().that().resideInAPackage(SPI)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", SPI)
            .because("the SPI is what a partner compiles against: JDK types only");

    @ArchTest
    static final ArchRule toolkitUsesOnlyTheJdk = classes().that().resideInAPackage(TOOLKIT)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", TOOLKIT)
            .because("the toolkit is shaded into each plugin's jar and must not carry a copy of the SPI or anything else");

    @ArchTest
    static final ArchRule pluginsStayApart = slices().matching("io.meterline.plugin.(*)..")
            .should().notDependOnEachOther()
            .ignoreDependency(JavaClass.Predicates.resideInAnyPackage("io.meterline.plugin.."),
                    JavaClass.Predicates.resideInAnyPackage(SPI, TOOLKIT))
            .because("first-party plugins share the platform's class path; a partner's plugin could not reach another");

    /** The rules above pass vacuously on classes they never saw: every module must have been read. */
    @ArchTest
    static void readsEveryPluginModule(JavaClasses imported) {
        Set<String> packages = imported.stream().map(JavaClass::getPackageName).collect(Collectors.toSet());
        assertThat(packages).contains(
                "io.meterline.plugin.spi",
                "io.meterline.plugin.toolkit",
                "io.meterline.plugin.testkit",
                "io.meterline.plugin.openai",
                "io.meterline.plugin.anthropic",
                "io.meterline.plugin.elevenlabs",
                "io.meterline.plugin.smartflo",
                "io.meterline.plugin.images",
                "io.meterline.plugin.flattoken");
        assertThat(imported.stream().map(JavaClass::getName))
                .as("test classes are not part of the walls' subject")
                .noneMatch(name -> name.endsWith("Test") || name.contains(".fixture."));
    }
}
