package io.meterline.platform.allocation;

import io.meterline.platform.analytics.Dimension;

/**
 * The usage dimensions an allocation rule can match, in precedence order: usage goes by the rule of the first
 * dimension whose value has one. The most specific attribution wins: an Account ID is one person's or tool's
 * access code, a project names the work, a team the people, and a department the broadest grouping.
 */
public enum AllocationDimension {
    ACCOUNT_ID,
    PROJECT,
    TEAM,
    DEPARTMENT;

    /** The value of this dimension in an {@link Dimension#ALLOCATION} key, '' when the usage has none. */
    String valueIn(java.util.List<String> allocationValues) {
        return allocationValues.get(ordinal());
    }
}
