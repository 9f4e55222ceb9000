package io.meterline.plugin.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.meterline.plugin.architecture.fixture.LeakyPlugin;
import io.meterline.plugin.spi.fixture.LeakySpiType;
import io.meterline.plugin.toolkit.fixture.LeakyHelper;

/** Each wall of {@link PluginWallsTest} fails on a class that breaks it, so none of them passes by accident. */
@AnalyzeClasses(classes = {LeakyPlugin.class, LeakySpiType.class, LeakyHelper.class})
class PluginWallsCatchLeaksTest {

    @ArchTest
    static void aPluginUsingThePlatformIsCaught(JavaClasses leaks) {
        assertCaught(PluginWallsTest.pluginsNeverUseThePlatform, leaks, LeakyPlugin.class, "io.meterline.platform.fixture.PlatformService");
    }

    @ArchTest
    static void anSpiTypeBeyondTheJdkIsCaught(JavaClasses leaks) {
        assertCaught(PluginWallsTest.spiUsesOnlyTheJdk, leaks, LeakySpiType.class, "io.meterline.plugin.toolkit.NativeUsage");
    }

    @ArchTest
    static void aToolkitHelperUsingTheSpiIsCaught(JavaClasses leaks) {
        assertCaught(PluginWallsTest.toolkitUsesOnlyTheJdk, leaks, LeakyHelper.class, "io.meterline.plugin.spi.UsageException");
    }

    @ArchTest
    static void aPluginUsingAnotherIsCaught(JavaClasses leaks) {
        assertCaught(PluginWallsTest.pluginsStayApart, leaks, LeakyPlugin.class, "io.meterline.plugin.openai.OpenAiPluginFactory");
    }

    private static void assertCaught(ArchRule rule, JavaClasses leaks, Class<?> offender, String forbidden) {
        assertThatThrownBy(() -> rule.check(leaks))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(offender.getName())
                .hasMessageContaining(forbidden);
    }
}
