package io.meterline.platform.invoice;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * One line of an invoice.
 *
 * @param kind what it bills
 * @param description the text shown on the invoice
 * @param usagePeriod for USAGE and ADJUSTMENT lines, the first day of the period whose usage it bills
 * @param dimensionValue for USAGE and ADJUSTMENT lines, {@code provider/model}
 * @param quantity tokens, requests, or 1 for a fee
 * @param unit what the quantity counts: {@code 1M tokens}, {@code request}, {@code month}, {@code tokens}
 * @param unitPrice the price of one unit in the invoice currency, 12 decimals, for information: the amount is the
 *                  rounded sum of the usage's own costs, never quantity × unit price rounded again
 * @param amount rounded once to the currency's minor unit; 0 for informative lines
 */
public record InvoiceLine(LineKind kind, String description, @Nullable LocalDate usagePeriod, @Nullable String dimensionValue, BigDecimal quantity,
                          String unit, BigDecimal unitPrice, BigDecimal amount) {
}
