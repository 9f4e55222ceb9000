package io.meterline.platform.analytics;

/** What usage can be grouped by. Stored by name in {@code usage_rollup.dimension}. */
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
    MODE
}
