package io.meterline.platform.invoice;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;

/**
 * The part of an invoice's usage lines that one feature accounts for: a breakdown of the same usage, not a line of its
 * own (nothing is charged twice). Frozen at finalization with the lines.
 *
 * @param feature the events' {@code feature}; null for the events that name none (Unattributed)
 * @param amount its share of the USAGE lines' total, in the invoice currency: the amounts of an invoice add up to that
 *               total exactly (largest remainder)
 * @param share the same as a fraction of that total, 6 decimals; an invoice's shares add up to exactly 1 (0 without usage)
 */
public record InvoiceFeatureCharge(@Nullable String feature, BigDecimal amount, BigDecimal share) {
}
