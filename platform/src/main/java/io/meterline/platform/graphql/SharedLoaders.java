package io.meterline.platform.graphql;

/**
 * Names of the DataLoaders that features other than their owner load through. They live here, not
 * in the owning feature's {@code *GraphQL} class, so that a feature resolving a nested organization,
 * API key or rate needs {@code graphql} only and no import of the feature that registers the loader
 * (which would tie the packages into a cycle). The owner registers each name in its
 * {@link BatchLoaders#register}.
 */
public final class SharedLoaders {

    /** Organizations by row id (registered by account). */
    public static final String ORGANIZATIONS = "organizations";
    /** API keys by row id (registered by account). */
    public static final String API_KEYS = "apiKeys";
    /** Rate versions by row id (registered by pricing). */
    public static final String RATES = "rates";

    private SharedLoaders() {
    }
}
