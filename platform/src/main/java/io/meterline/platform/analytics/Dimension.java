package io.meterline.platform.analytics;

/**
 * What usage can be grouped by. Stored by name in {@code usage_rollup.dimension}, at the grains of
 * {@link #grains()}: every dimension by the organization's local day, the organization's total also
 * by UTC hour and quarter hour (hourly charts and other zones' days). What a query needs finer than
 * its dimension's grains is read from the events (see {@link TimeGrid#plan}).
 */
public enum Dimension {
    /** The organization's total (one group, value ''). */
    ALL,
    PROVIDER,
    /** Value {@code provider/model}. */
    MODEL,
    ACCOUNT_ID,
    /** Value the API key's row id; '' for usage recorded through GraphQL. */
    API_KEY,
    MEMBER,
    TEAM,
    PROJECT,
    DEPARTMENT,
    FEATURE,
    TOOL,
    INTEGRATION,
    MODE;

    /**
     * The grains kept: 'D' the organization's local day, 'H' the UTC hour, 'Q' the UTC quarter hour. The total is also
     * kept by 'L', the organization's local hour, while its zone's offset is not whole hours (where 'H' is not local):
     * only {@link AnalyticsService#hoursOfWeek} reads it, so it is not listed here.
     */
    String grains() {
        return this == ALL ? "DHQ" : "D";
    }
}
