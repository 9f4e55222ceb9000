package io.meterline.platform.analytics;

import java.util.List;

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
    MODE,
    /**
     * An event's account ID, project, team and department together (see {@link #allocationKey}): cost-center rules
     * of different dimensions take precedence over each other per event, which the per-dimension rows cannot tell
     * (they count an event with both a project and a team once under each). Not a {@code UsageDimension} of the schema.
     */
    ALLOCATION;

    /** Joins {@link #ALLOCATION}'s values: no dimension value holds a control character, so U+001F cannot occur in one. */
    private static final String SEPARATOR = "\u001f";

    /** The {@link #ALLOCATION} value of an event: its four values ('' for one it lacks) joined by U+001F. */
    static String allocationKey(String accountId, String project, String team, String department) {
        return String.join(SEPARATOR, accountId, project, team, department);
    }

    /** An {@link #ALLOCATION} value's account ID, project, team and department, in that order ('' for one the event lacks). */
    public static List<String> allocationValues(String key) {
        return List.of(key.split(SEPARATOR, -1));
    }

    /**
     * The grains kept: 'D' the organization's local day, 'H' the UTC hour, 'Q' the UTC quarter hour. The total is also
     * kept by 'L', the organization's local hour, while its zone's offset is not whole hours (where 'H' is not local):
     * only {@link HoursOfWeek} reads it, so it is not listed here.
     */
    String grains() {
        return this == ALL ? "DHQ" : "D";
    }
}
