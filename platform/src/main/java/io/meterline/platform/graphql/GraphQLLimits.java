package io.meterline.platform.graphql;

import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * What one operation and one caller may cost ({@code meterline.graphql.*}; the defaults are in application.yml).
 *
 * @param maxDepth how many levels of fields an operation may nest (introspection has its own bound, graphql-java's good-faith depth)
 * @param maxCost the most one operation may cost
 * @param rootFieldWeight what a root field without {@code @cost} weighs: each one runs at least one query or service call
 * @param fetcherWeight what a nested field with its own data fetcher (not a property of its parent) weighs without {@code @cost}
 * @param costPerMinute the cost one principal (user, Account ID sign-in, or client address when anonymous) may spend per minute
 * @param documentCacheSize how many parsed and validated documents {@link DocumentCache} keeps
 */
@ConfigurationProperties("meterline.graphql")
public record GraphQLLimits(int maxDepth, int maxCost, int rootFieldWeight, int fetcherWeight, long costPerMinute, long documentCacheSize) {

    public GraphQLLimits {
        if (maxDepth < 1 || maxCost < 1 || rootFieldWeight < 1 || fetcherWeight < 1 || documentCacheSize < 1) {
            throw new IllegalArgumentException("meterline.graphql.max-depth, max-cost, root-field-weight, fetcher-weight and document-cache-size must be at least 1");
        }
        // Below max-cost an operation the guard admits could never run: every minute would refuse it.
        if (costPerMinute < maxCost) {
            throw new IllegalArgumentException("meterline.graphql.cost-per-minute (" + costPerMinute + ") must be at least max-cost (" + maxCost + ")");
        }
    }
}
