package io.meterline.platform.allocation;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Usage whose {@code dimension} has {@code value} goes to the cost centers of {@code splits}, by their percents
 * (adding up to exactly 100).
 *
 * @param id the row id
 * @param organizationId the organization
 * @param dimension the usage dimension matched
 * @param value the dimension value matched (ignoring case, as the rollups group values)
 * @param splits the shares, by cost center code
 * @param updatedAt when the rule was last set
 */
public record AllocationRule(long id, long organizationId, AllocationDimension dimension, String value, List<Split> splits, Instant updatedAt) {

    /** The GraphQL type name, also the type part of global ids. */
    public static final String TYPE = "AllocationRule";

    public AllocationRule {
        splits = List.copyOf(splits);
    }

    /** A cost center's share of a rule, in percent with at most 2 decimals. */
    public record Split(CostCenter costCenter, BigDecimal percent) {
    }
}
