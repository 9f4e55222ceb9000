package io.meterline.plugin.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import io.meterline.plugin.architecture.fixture.LeakyPlugin;
import io.meterline.plugin.spi.fixture.LeakySpiType;
import io.meterline.plugin.toolkit.fixture.LeakyHelper;

/** Each wall of {@link PluginWallsTest} fails on a class that breaks it, so none of them passes by accident. */
@AnalyzeClasses(classes = {LeakyPlugin.class, LeakySpiType.class, LeakyHelper.class})
class PluginWallsCatchLeaksTest {

    @ArchTest
    static void aPluginUsingThePlatformIsCaught(JavaClasses leaks) {
        assertThatThrownBy(() -> PluginWallsTest.pluginsNeverUseThePlatform.check(leaks))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(LeakyPlugin.class.getName())
                .hasMessageContaining("io.meterline.platform.fixture.PlatformService");
    }

    @ArchTest
    static void anSpiTypeBeyondTheJdkIsCaught(JavaClasses leaks) {
        assertThatThrownBy(() -> PluginWallsTest.spiUsesOnlyTheJdk.check(leaks))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(LeakySpiType.class.getName())
                .hasMessageContaining("io.meterline.plugin.toolkit.NativeUsage");
    }

    @ArchTest
    static void aToolkitHelperUsingTheSpiIsCaught(JavaClasses leaks) {
        assertThatThrownBy(() -> PluginWallsTest.toolkitUsesOnlyTheJdk.check(leaks))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(LeakyHelper.class.getName())
                .hasMessageContaining("io.meterline.plugin.spi.UsageException");
    }

    @ArchTest
    static void aPluginUsingAnotherIsCaught(JavaClasses leaks) {
        assertThatThrownBy(() -> PluginWallsTest.pluginsStayApart.check(leaks))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(LeakyPlugin.class.getName())
                .hasMessageContaining("io.meterline.plugin.openai.OpenAiPluginFactory");
    }
}
