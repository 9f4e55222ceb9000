package io.meterline.platform.pricing;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotBlank;

/**
 * Provider plugins ({@code meterline.plugins.*}; each plugin's own settings are under
 * {@code meterline.plugins.config.<id>}); every default lives in application.yml.
 *
 * @param directory the folder whose jars are loaded as plugins, next to the built-in ones; a missing folder means none
 */
@ConfigurationProperties("meterline.plugins")
public record PluginsConfiguration(@NotBlank String directory) {
}
