package io.meterline.platform.demo;

import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.invoice.Invoice;
import io.meterline.platform.invoice.InvoiceService;
import io.meterline.platform.invoice.InvoiceStatus;
import io.meterline.platform.invoice.TaxRates;
import io.meterline.platform.profile.CompanyDetailsService;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscribed demo organization's previous month, closed as a finance team would have it: company details (the
 * BILL TO block) in Toronto, Ontario's 13 % HST in the tax table, the month closed through {@link InvoiceService}
 * (lines from the rollups, tax, a gapless number) and the invoice paid in full by a bank transfer recorded by hand.
 *
 * <p>Everything goes through the services a platform admin uses, so the invoice's totals are computed exactly as the
 * scheduled close computes them; nothing is written around them. The organization must exist since before that month
 * ({@link DemoData} dates it from the start of its usage history), or the close refuses a month that ended before it.
 * When the month's grace has not ended yet (in the first hour of a month), the invoice stays a draft and the scheduled
 * close finalizes it; it is then left unpaid.
 */
@Singleton
@Requires(env = "demo")
@Requires(property = "meterline.demo.enabled", value = "true")
class DemoMonthClose {

    private static final Logger LOG = LoggerFactory.getLogger(DemoMonthClose.class);
    private static final String COUNTRY = "CA";
    private static final String REGION = "ON";

    private final CompanyDetailsService companyDetails;
    private final TaxRates taxRates;
    private final InvoiceService invoices;
    private final UsageRoller roller;
    private final Clock clock;

    DemoMonthClose(CompanyDetailsService companyDetails, TaxRates taxRates, InvoiceService invoices, UsageRoller roller, Clock clock) {
        this.companyDetails = companyDetails;
        this.taxRates = taxRates;
        this.invoices = invoices;
        this.roller = roller;
        this.clock = clock;
    }

    /** Closes the organization's last ended month and pays its invoice; answers that invoice. */
    Invoice closePreviousMonth(Viewer admin, String organizationId, DemoOrganization organization) {
        companyDetails.save(admin, new CompanyDetailsService.Input(organizationId, organization.name(), "Olivia Martin", "accounts@" + organization.slug() + ".demo",
                "+1 416 555 0142", "200 Bay Street, Suite 1200", null, "Toronto", REGION, "M5J 2J2", COUNTRY));
        if (taxRates.list(admin, COUNTRY).stream().noneMatch(rate -> rate.region().equals(REGION))) {
            taxRates.set(admin, new TaxRates.RateInput(COUNTRY, REGION, "HST", new BigDecimal("13"), LocalDate.of(2016, 7, 1), null));
        }
        // The close reads the rollups: fold the usage just recorded into them first, as the scheduled close does.
        roller.rollAll();
        YearMonth previous = YearMonth.now(clock.withZone(ZoneId.of(organization.timeZone()))).minusMonths(1);
        Invoice invoice = invoices.closeByHand(admin, organizationId, previous.toString());
        if (invoice.status() == InvoiceStatus.OPEN) {
            invoice = invoices.recordPayment(admin, new InvoiceService.PaymentInput(GlobalId.encode(InvoiceService.INVOICE_TYPE, invoice.id()),
                    invoice.amountDue(), clock.instant(), "EFT-" + invoice.number()));
        }
        LOG.info("Closed {} for {}: invoice {} ({}), total {} {}", previous, organization.slug(), invoice.number(), invoice.status(), invoice.total(),
                invoice.currency());
        return invoice;
    }
}
