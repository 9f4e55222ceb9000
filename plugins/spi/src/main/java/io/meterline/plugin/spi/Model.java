package io.meterline.plugin.spi;

import java.util.Objects;

/**
 * A model (or product) of a provider.
 *
 * @param id the id used in usage events, such as {@code gpt-4o}
 * @param displayName a human readable name
 */
public record Model(String id, String displayName) {

    /** Validates the fields. */
    public Model {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(displayName, "displayName is null");
    }
}
