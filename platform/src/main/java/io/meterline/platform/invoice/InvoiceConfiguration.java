package io.meterline.platform.invoice;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Month close and invoices ({@code meterline.invoices.*}); every default lives in application.yml.
 *
 * @param grace how long after the end of an organization's local month its invoice stays DRAFT: usage arriving
 *              in it still counts; then the invoice is finalized
 * @param lateUsageHorizon how many periods back late usage is still billed on the next invoice as an adjustment;
 *                         older late usage is listed for review ({@code lateUsageForReview}), never billed silently
 * @param scheduledClose whether this instance runs the month close on its schedule (tests close by hand)
 * @param emailInvoices whether a finalized invoice is emailed with its PDF to the billing email
 */
@ConfigurationProperties("meterline.invoices")
public record InvoiceConfiguration(@NotNull Duration grace, @Min(1) int lateUsageHorizon, boolean scheduledClose, boolean emailInvoices) {
}
