package io.meterline.platform.invoice;

import io.meterline.platform.analytics.UsageRoller;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled month close, on every instance: no lock is held across it. Each run claims, for every organization,
 * the last month that ended in its zone (a draft; the unique key lets one instance win and the others change
 * nothing), then finalizes every draft whose grace has ended, crashed closers' drafts included: the invoice row is the
 * state, so a kill -9 at any point leaves work the next run of any instance finishes, never a duplicate.
 */
@Singleton
public class MonthClose {

    private static final Logger LOG = LoggerFactory.getLogger(MonthClose.class);

    private final InvoiceService invoices;
    private final InvoiceStore store;
    private final UsageRoller roller;
    private final InvoiceStripe stripe;
    private final InvoiceConfiguration configuration;
    private final Clock clock;

    public MonthClose(InvoiceService invoices, InvoiceStore store, UsageRoller roller, InvoiceStripe stripe, InvoiceConfiguration configuration, Clock clock) {
        this.invoices = invoices;
        this.store = store;
        this.roller = roller;
        this.stripe = stripe;
        this.configuration = configuration;
        this.clock = clock;
    }

    /** What one run did. */
    public record Result(int claimed, int finalized, int failed) {
    }

    @Scheduled(fixedDelay = "${meterline.invoices.close-interval:1m}", initialDelay = "${meterline.invoices.close-interval:1m}")
    void scheduledRun() {
        if (!configuration.scheduledClose()) {
            return;
        }
        try {
            run();
        }
        catch (RuntimeException e) {
            LOG.error("The month close failed; the next run resumes it", e);
        }
    }

    /** One run: claims the periods that ended, then finalizes the drafts whose grace ended. */
    public Result run() {
        Instant now = clock.instant();
        Map<YearMonth, List<InvoiceStore.OrganizationRow>> byMonth = new HashMap<>();
        for (InvoiceStore.OrganizationRow organization : store.organizations()) {
            invoices.monthToClose(organization, now).ifPresent(month -> byMonth.computeIfAbsent(month, key -> new ArrayList<>()).add(organization));
        }
        int claimed = 0;
        for (Map.Entry<YearMonth, List<InvoiceStore.OrganizationRow>> entry : byMonth.entrySet()) {
            // One read of who is closed already, so a steady-state run costs a query per month, not an insert per organization.
            Set<Long> closed = store.closedAmong(entry.getValue().stream().map(InvoiceStore.OrganizationRow::id).toList(), entry.getKey().atDay(1));
            for (InvoiceStore.OrganizationRow organization : entry.getValue()) {
                if (!closed.contains(organization.id()) && invoices.claim(organization, entry.getKey(), now)) {
                    claimed++;
                }
            }
        }
        List<Long> due = invoices.draftsDue(now);
        if (!due.isEmpty()) {
            // Usage that arrived in the grace counts: fold what is committed into the rollups before reading them.
            roller.rollAll();
        }
        int finalized = 0;
        int failed = 0;
        for (long invoiceId : due) {
            try {
                invoices.finalizeDraft(invoiceId, now);
                finalized++;
            }
            catch (RuntimeException e) {
                failed++;
                LOG.error("Finalizing invoice {} failed; the next run tries again", invoiceId, e);
            }
        }
        stripe.sendPending();
        return new Result(claimed, finalized, failed);
    }
}
