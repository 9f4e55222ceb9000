package io.meterline.platform.invoice;

import io.meterline.platform.billing.StripeGateway;
import io.meterline.platform.common.ControlCharacters;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.Money;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.ledger.LedgerAccount;
import io.meterline.platform.ledger.LedgerEntryKind;
import io.meterline.platform.ledger.LedgerService;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.webhook.WebhookEventTypes;
import io.meterline.platform.webhook.WebhookService;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Month close and the life of an invoice.
 *
 * <p>The close is a small state machine whose state is the invoice row, so any instance can resume it after a crash:
 * claim the period with a DRAFT (the unique key (organization, period start, issue 0) lets exactly one closer win, on
 * any number of instances, and a second close finds the row and changes nothing); once the grace has ended, compute
 * the lines into the draft (a resumed close computes them again); then, in one short transaction holding the invoice
 * row and the number sequence row, copy BILL TO, apply tax, take the next number and make it OPEN. A finalized
 * invoice never changes but for its status and the paid and credited totals.
 */
@Singleton
public class InvoiceService {

    private static final Logger LOG = LoggerFactory.getLogger(InvoiceService.class);

    /** The GraphQL type name of invoices, used in their global ids. */
    public static final String INVOICE_TYPE = "Invoice";

    private final InvoiceStore store;
    private final InvoiceLines lines;
    private final TaxRates taxRates;
    private final InvoiceConfiguration configuration;
    private final TenantScope tenantScope;
    private final WebhookService webhooks;
    private final ApplicationEventPublisher<InvoiceFinalized> finalizedEvents;
    private final ApplicationEventPublisher<StripeOwed> stripeEvents;
    private final LedgerService ledger;
    private final StripeGateway stripe;
    private final Clock clock;

    public InvoiceService(InvoiceStore store, InvoiceLines lines, TaxRates taxRates, InvoiceConfiguration configuration, TenantScope tenantScope,
                          WebhookService webhooks, ApplicationEventPublisher<InvoiceFinalized> finalizedEvents, ApplicationEventPublisher<StripeOwed> stripeEvents,
                          LedgerService ledger, StripeGateway stripe, Clock clock) {
        this.store = store;
        this.lines = lines;
        this.taxRates = taxRates;
        this.configuration = configuration;
        this.tenantScope = tenantScope;
        this.webhooks = webhooks;
        this.finalizedEvents = finalizedEvents;
        this.stripeEvents = stripeEvents;
        this.ledger = ledger;
        this.stripe = stripe;
        this.clock = clock;
    }

    /** Published in the transaction that finalized an invoice; listeners act after it commits (email, Stripe). */
    public record InvoiceFinalized(long invoiceId) {
    }

    /**
     * Published in a transaction that left Stripe something to do (a credit note to create, an invoice to void); after
     * the commit {@link InvoiceStripe} tells Stripe, and its outbox retries until Stripe answered.
     */
    public record StripeOwed(@Nullable Long creditNoteId, @Nullable Long voidedInvoiceId) {
    }

    /** A billing period: an organization's local month, as days and as instants. */
    record Period(LocalDate start, LocalDate end, Instant startsAt, Instant endsAt) {

        static Period of(YearMonth month, ZoneId zone) {
            LocalDate start = month.atDay(1);
            LocalDate end = month.plusMonths(1).atDay(1);
            return new Period(start, end, start.atStartOfDay(zone).toInstant(), end.atStartOfDay(zone).toInstant());
        }
    }

    // ---- the close

    /**
     * Closes a month by hand. Platform admins; another organization's id is NOT_FOUND. Refused while the month has
     * not ended in the organization's zone. Closing twice changes nothing.
     */
    public Invoice closeByHand(Viewer viewer, @Nullable String organizationId, @Nullable String month) {
        long organization = tenantScope.organizationFor(viewer, organizationId);
        tenantScope.requirePlatformAdmin(viewer);
        YearMonth period = parseMonth(month);
        InvoiceStore.OrganizationRow row = store.organization(organization).orElseThrow(() -> MeterlineException.notFound(organizationId));
        Period bounds = Period.of(period, ZoneId.of(row.timeZone()));
        Instant now = clock.instant();
        if (now.isBefore(bounds.endsAt())) {
            throw new UserInputException(UserError.of("month", InvoiceErrorCode.PERIOD_NOT_ENDED, period + " has not ended yet in the organization's zone ("
                    + row.timeZone() + "); it ends at " + bounds.endsAt() + "."));
        }
        if (!bounds.endsAt().isAfter(row.createdAt())) {
            throw new UserInputException(UserError.of("month", InvoiceErrorCode.OUT_OF_RANGE, period + " ended before the organization was created."));
        }
        return close(row, period, now);
    }

    private static YearMonth parseMonth(@Nullable String month) {
        if (month == null || month.isBlank()) {
            throw new UserInputException(UserError.of("month", InvoiceErrorCode.BLANK, "Name the month, such as 2026-11."));
        }
        try {
            return YearMonth.parse(month.trim());
        }
        catch (java.time.format.DateTimeParseException e) {
            throw new UserInputException(UserError.of("month", InvoiceErrorCode.INVALID, month + " is no month; write it as 2026-11."));
        }
    }

    /** Claims the period (a draft, once ever) and finalizes it when the grace has ended; answers the period's invoice as it is then. */
    Invoice close(InvoiceStore.OrganizationRow organization, YearMonth month, Instant now) {
        claim(organization, month, now);
        Invoice invoice = store.findByPeriod(organization.id(), Period.of(month, ZoneId.of(organization.timeZone())).start(), 0).orElseThrow();
        if (invoice.status() == InvoiceStatus.DRAFT && !now.isBefore(invoice.finalizeAfter())) {
            finalizeDraft(invoice.id(), now);
            return store.find(invoice.id()).orElseThrow();
        }
        return invoice;
    }

    /** Claims a period with its draft; false when it was claimed before (by this or another instance, now or ever). */
    boolean claim(InvoiceStore.OrganizationRow organization, YearMonth month, Instant now) {
        Period period = Period.of(month, ZoneId.of(organization.timeZone()));
        return store.insertDraft(new InvoiceStore.Draft(organization.id(), period.start(), 0, period.end(), period.startsAt(), period.endsAt(),
                period.endsAt().plus(configuration.grace()), organization.timeZone(), organization.billingCurrency(), null, now)).isPresent();
    }

    /** The scheduled close of one organization: the last month that ended in its zone, unless it ended before the organization existed. */
    Optional<YearMonth> monthToClose(InvoiceStore.OrganizationRow organization, Instant now) {
        ZoneId zone = ZoneId.of(organization.timeZone());
        YearMonth last = YearMonth.from(now.atZone(zone)).minusMonths(1);
        Period period = Period.of(last, zone);
        return period.endsAt().isAfter(organization.createdAt()) ? Optional.of(last) : Optional.empty();
    }

    /**
     * Finalizes a draft whose grace has ended; a no-op when it is not a draft any more (another closer finished it).
     * Safe to run again after a crash at any point: the lines are computed again into the draft, and the number is
     * given in the same transaction that makes the invoice OPEN, so a crash before its commit gives the number back.
     */
    void finalizeDraft(long invoiceId, Instant now) {
        boolean computed = store.write(connection -> {
            Optional<Invoice> draft = store.find(connection, invoiceId, true);
            if (draft.isEmpty() || draft.get().status() != InvoiceStatus.DRAFT) {
                return false;
            }
            // A reissue keeps the lines it copied from the invoice it replaces, and the overdraft they bill.
            if (draft.get().reissueOf() == null) {
                InvoiceLines.Computed computedLines = lines.compute(connection, draft.get(), now, true);
                store.replaceLines(connection, invoiceId, computedLines.lines(), computedLines.subtotal());
                store.setOverdraftBilled(connection, invoiceId, computedLines.overdraft());
                store.replaceFeatureCharges(connection, invoiceId, computedLines.featureCharges());
            }
            else {
                long replaced = draft.get().reissueOf();
                store.setOverdraftBilled(connection, invoiceId, store.overdraftBilled(connection, replaced));
                store.replaceFeatureCharges(connection, invoiceId, store.featureCharges(connection, List.of(replaced)).getOrDefault(replaced, List.of()));
            }
            return true;
        });
        if (!computed) {
            return;
        }
        String series = "INV-" + now.atZone(ZoneOffset.UTC).getYear();
        store.ensureSeries(series);
        store.write(connection -> {
            Optional<Invoice> locked = store.find(connection, invoiceId, true);
            if (locked.isEmpty() || locked.get().status() != InvoiceStatus.DRAFT) {
                return false;
            }
            Invoice draft = locked.get();
            BillTo billTo = store.billTo(connection, draft.organizationId()).orElse(null);
            TaxRates.Applied tax = taxRates.apply(connection, draft.organizationId(), billTo, draft.periodEnd().minusDays(1), draft.subtotal(), draft.currency());
            BigDecimal total = draft.subtotal().add(tax.amount());
            String number = series + "-" + String.format("%06d", store.nextNumber(connection, series));
            InvoiceStatus status = total.signum() > 0 ? InvoiceStatus.OPEN : InvoiceStatus.PAID;
            store.finalizeDraft(connection, invoiceId, number, billTo, tax, total, status, now);
            postOverdraft(draft, store.overdraftBilled(connection, invoiceId), false, "Overdraft billed on invoice " + number);
            Invoice finalized = store.find(connection, invoiceId, false).orElseThrow();
            webhooks.enqueue(draft.organizationId(), WebhookEventTypes.INVOICE_FINALIZED, webhookData(finalized));
            if (status == InvoiceStatus.PAID) {
                webhooks.enqueue(draft.organizationId(), WebhookEventTypes.INVOICE_PAID, webhookData(finalized));
            }
            finalizedEvents.publishEvent(new InvoiceFinalized(invoiceId));
            return true;
        });
    }

    /**
     * Records in the ledger, in the caller's transaction, that an invoice billed (or, voided, no longer bills) the credits
     * its period's usage overdrew: an INVOICED CREDITS entry of {@code +overdraft} (the balance returns to where it was
     * before the overdraft, so the next invoice does not count it), or of {@code -overdraft} when the invoice was voided.
     * Posted once per invoice and direction (the source key), so a resumed finalization or void posts nothing twice; a
     * void-and-reissue reverses the voided invoice's entry and its reissue posts its own, one in effect.
     */
    private void postOverdraft(Invoice invoice, BigDecimal overdraft, boolean voided, String description) {
        if (overdraft.signum() <= 0) {
            return;
        }
        ledger.postSystemEntry(new LedgerService.SystemEntry(invoice.organizationId(), LedgerEntryKind.INVOICED, LedgerAccount.CREDITS,
                voided ? overdraft.negate() : overdraft, invoice.currency(), description, "invoice:" + invoice.id() + ":overdraft" + (voided ? ":void" : "")));
    }

    /** Drafts whose grace has ended, a crashed closer's included. */
    List<Long> draftsDue(Instant now) {
        return store.draftsDue(now);
    }

    // ---- reading

    /** An invoice the viewer may see; NOT_FOUND for another organization's. */
    public Invoice find(Viewer viewer, String id) {
        Invoice invoice = store.find(GlobalId.require(id, INVOICE_TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, Owner.organization(invoice.organizationId()), id);
        if (viewer.isToolUser()) {
            throw MeterlineException.forbidden("An Account ID sign-in cannot read invoices");
        }
        return invoice;
    }

    /** A draft's lines and totals as they would be computed now. */
    public record DraftFigures(List<InvoiceLine> lines, List<InvoiceFeatureCharge> featureCharges, BigDecimal subtotal, BigDecimal tax, BigDecimal total) {
    }

    /**
     * What a draft (its grace period, in which usage still counts) would bill if it were finalized now: its lines, subtotal,
     * tax and total, computed in a read-only transaction and stored nowhere (late usage beyond the horizon is not recorded
     * for review either); finalization computes them again and stores them. The invoice stays DRAFT, without a number.
     * Empty for an invoice that is no draft (its stored figures stand) or no longer exists. The caller checked the viewer.
     */
    Optional<DraftFigures> draftFigures(long invoiceId) {
        Instant now = clock.instant();
        return store.read(connection -> {
            Optional<Invoice> draft = store.find(connection, invoiceId, false);
            if (draft.isEmpty() || draft.get().status() != InvoiceStatus.DRAFT || draft.get().reissueOf() != null) {
                return Optional.empty();
            }
            Invoice invoice = draft.get();
            InvoiceLines.Computed computed = lines.compute(connection, invoice, now, false);
            BillTo billTo = store.billTo(connection, invoice.organizationId()).orElse(null);
            TaxRates.Applied tax = taxRates.apply(connection, invoice.organizationId(), billTo, invoice.periodEnd().minusDays(1), computed.subtotal(),
                    invoice.currency());
            return Optional.of(new DraftFigures(computed.lines(), computed.featureCharges(), computed.subtotal(), tax.amount(), computed.subtotal().add(tax.amount())));
        });
    }

    /** A page of invoices and how many match. */
    public record Page(List<Invoice> invoices, long totalCount) {
    }

    public Page page(Viewer viewer, @Nullable String organizationId, @Nullable InvoiceStatus status, long beforeId, int limit) {
        if (viewer.isToolUser()) {
            throw MeterlineException.forbidden("An Account ID sign-in cannot read invoices");
        }
        long organization = tenantScope.organizationFor(viewer, organizationId);
        return new Page(store.page(organization, status, beforeId, limit), store.count(organization, status));
    }

    /** Late usage too old to bill, for review. Organization admins and platform admins. */
    public List<InvoiceStore.LateUsage> lateUsage(Viewer viewer, @Nullable String organizationId) {
        long organization = tenantScope.organizationToManage(viewer, organizationId);
        return store.lateUsage(organization);
    }

    // ---- corrections and payments

    /** Voids an open or uncollectible invoice and reissues its period at once with the same lines, fresh BILL TO and tax. Platform admins. */
    public Invoice voidAndReissue(Viewer viewer, String id) {
        Invoice invoice = find(viewer, id);
        tenantScope.requirePlatformAdmin(viewer);
        Instant now = clock.instant();
        long reissueId = store.write(connection -> {
            Invoice locked = store.find(connection, invoice.id(), true).orElseThrow();
            if (locked.status() == InvoiceStatus.PAID || locked.amountPaid().signum() > 0) {
                throw new UserInputException(UserError.of("id", InvoiceErrorCode.INVOICE_PAID, "Invoice " + locked.number()
                        + " received payments and cannot be voided: correct it with a credit note."));
            }
            if (locked.status() != InvoiceStatus.OPEN && locked.status() != InvoiceStatus.UNCOLLECTIBLE) {
                throw new UserInputException(UserError.of("id", InvoiceErrorCode.INVALID_STATE, "Only open or uncollectible invoices can be voided; this one is "
                        + locked.status() + "."));
            }
            store.setStatus(connection, locked.id(), InvoiceStatus.VOID, now);
            voided(connection, locked.id(), true);
            long reissue = store.insertDraft(connection, new InvoiceStore.Draft(locked.organizationId(), locked.periodStart(),
                    store.lastIssue(connection, locked.organizationId(), locked.periodStart()) + 1, locked.periodEnd(), locked.startsAt(), locked.endsAt(), now,
                    locked.timeZone(), locked.currency(), locked.id(), now));
            store.replaceLines(connection, reissue, store.lines(List.of(locked.id())).getOrDefault(locked.id(), List.of()), locked.subtotal());
            return reissue;
        });
        finalizeDraft(reissueId, now);
        return store.find(reissueId).orElseThrow();
    }

    /**
     * After an invoice became VOID in this transaction: the overdraft it billed goes back to the ledger,
     * {@code invoice.voided} to webhooks, and (when the void is ours, not Stripe's) Stripe's invoice voided after the commit.
     */
    private void voided(java.sql.Connection connection, long invoiceId, boolean voidInStripe) throws java.sql.SQLException {
        Invoice voided = store.find(connection, invoiceId, false).orElseThrow();
        postOverdraft(voided, store.overdraftBilled(connection, invoiceId), true, "Invoice " + voided.number() + " voided: its overdraft is no longer billed on it");
        webhooks.enqueue(voided.organizationId(), WebhookEventTypes.INVOICE_VOIDED, webhookData(voided));
        if (voidInStripe && voided.stripeInvoiceId() != null) {
            stripeEvents.publishEvent(new StripeOwed(null, invoiceId));
        }
    }

    /**
     * Stripe voided the invoice it collects for ours ({@code invoice.voided}), in the Stripe inbox's transaction: an open or
     * uncollectible invoice becomes VOID (not reissued: that is {@code invoiceVoid}'s, by a platform admin); a paid one
     * stays paid (a late or stray event never undoes a payment); a void one is only marked void in Stripe too.
     */
    void voidedInStripe(long invoiceId) {
        Instant now = clock.instant();
        store.write(connection -> {
            Invoice locked = store.find(connection, invoiceId, true).orElseThrow();
            store.setStripeVoided(connection, invoiceId, now);
            if (locked.status() == InvoiceStatus.OPEN || locked.status() == InvoiceStatus.UNCOLLECTIBLE) {
                store.setStatus(connection, invoiceId, InvoiceStatus.VOID, now);
                voided(connection, invoiceId, false);
            }
            else if (locked.status() != InvoiceStatus.VOID) {
                LOG.warn("Stripe voided invoice {} of ours, which is {} here: left {}", invoiceId, locked.status(), locked.status());
            }
            return null;
        });
    }

    /** Stripe gave up collecting ours ({@code invoice.marked_uncollectible}): an open invoice becomes UNCOLLECTIBLE; any other stays as it is. */
    void uncollectibleInStripe(long invoiceId) {
        Instant now = clock.instant();
        store.write(connection -> {
            Invoice locked = store.find(connection, invoiceId, true).orElseThrow();
            if (locked.status() == InvoiceStatus.OPEN) {
                store.setStatus(connection, invoiceId, InvoiceStatus.UNCOLLECTIBLE, now);
            }
            else {
                LOG.info("Stripe marked invoice {} of ours uncollectible, which is {} here: left {}", invoiceId, locked.status(), locked.status());
            }
            return null;
        });
    }

    /** Gives up collecting an open invoice (UNCOLLECTIBLE); it can still be voided and reissued. Platform admins. */
    public Invoice markUncollectible(Viewer viewer, String id) {
        Invoice invoice = find(viewer, id);
        tenantScope.requirePlatformAdmin(viewer);
        Instant now = clock.instant();
        store.write(connection -> {
            Invoice locked = store.find(connection, invoice.id(), true).orElseThrow();
            if (locked.status() != InvoiceStatus.OPEN) {
                throw new UserInputException(UserError.of("invoiceId", InvoiceErrorCode.INVALID_STATE, "Only open invoices can be marked uncollectible; this one is "
                        + locked.status() + "."));
            }
            store.setStatus(connection, locked.id(), InvoiceStatus.UNCOLLECTIBLE, now);
            return null;
        });
        return store.find(invoice.id()).orElseThrow();
    }

    /** {@code invoicePaymentRecord}'s input, read once at the GraphQL boundary. */
    public record PaymentInput(@Nullable String invoiceId, @Nullable BigDecimal amount, @Nullable Instant paidAt, @Nullable String reference) {
    }

    /** Records a payment received outside Stripe. Platform admins. */
    public Invoice recordPayment(Viewer viewer, PaymentInput input) {
        Invoice invoice = find(viewer, input.invoiceId());
        tenantScope.requirePlatformAdmin(viewer);
        Instant now = clock.instant();
        BigDecimal amount = checkAmount(input.amount(), invoice.currency());
        Instant paidAt = input.paidAt() == null ? now : input.paidAt();
        if (paidAt.isAfter(now)) {
            throw new UserInputException(UserError.of("paidAt", InvoiceErrorCode.OUT_OF_RANGE, "A payment cannot be dated in the future."));
        }
        String reference = input.reference() == null || input.reference().isBlank() ? "manual-" + now.toEpochMilli() : input.reference().trim();
        if (reference.length() > 255 || ControlCharacters.presentIn(reference)) {
            throw new UserInputException(UserError.of("reference", InvoiceErrorCode.INVALID, "The reference has at most 255 characters."));
        }
        applyPayment(invoice.id(), amount, "MANUAL", reference, paidAt, viewer.email(), true);
        return store.find(invoice.id()).orElseThrow();
    }

    /**
     * Adds a payment to an open invoice in one transaction; settles it (PAID, {@code invoice.paid}) when nothing is owed
     * any more. A reference already recorded adds nothing. {@code strict}: refuse what is more than owed (by hand);
     * Stripe's collection is recorded as at most what is owed.
     */
    boolean applyPayment(long invoiceId, BigDecimal amount, String method, String reference, Instant paidAt, String recordedBy, boolean strict) {
        Instant now = clock.instant();
        return store.write(connection -> {
            Invoice locked = store.find(connection, invoiceId, true).orElseThrow();
            if (store.hasPayment(connection, invoiceId, reference)) {
                return false;
            }
            if (locked.status() != InvoiceStatus.OPEN) {
                if (strict) {
                    throw new UserInputException(UserError.of("invoiceId", InvoiceErrorCode.INVALID_STATE, "Only open invoices take payments; this one is "
                            + locked.status() + "."));
                }
                return false;
            }
            BigDecimal due = locked.amountDue();
            if (amount.compareTo(due) > 0 && strict) {
                throw new UserInputException(UserError.of("amount", InvoiceErrorCode.EXCEEDS_AMOUNT, "The invoice owes " + due.toPlainString() + " "
                        + locked.currency() + "; record at most that."));
            }
            BigDecimal paid = amount.min(due);
            store.insertPayment(connection, invoiceId, paid, method, reference, paidAt, recordedBy, now);
            settleIfPaid(connection, locked, due.subtract(paid), now);
            return true;
        });
    }

    private void settleIfPaid(java.sql.Connection connection, Invoice invoice, BigDecimal stillDue, Instant now) throws java.sql.SQLException {
        if (stillDue.signum() <= 0) {
            store.setStatus(connection, invoice.id(), InvoiceStatus.PAID, now);
            webhooks.enqueue(invoice.organizationId(), WebhookEventTypes.INVOICE_PAID, webhookData(store.find(connection, invoice.id(), false).orElseThrow()));
        }
    }

    /** {@code creditNoteCreate}'s input, read once at the GraphQL boundary; {@code settlement} null: REDUCE_AMOUNT_DUE for an open invoice. */
    public record CreditNoteInput(@Nullable String invoiceId, @Nullable BigDecimal amount, @Nullable String reason, @Nullable CreditNoteSettlement settlement) {
    }

    /**
     * Issues a credit note, settled as the input says, in one transaction with what settles it. REDUCE_AMOUNT_DUE: an
     * open invoice owes less (at most what it owes; PAID when nothing is left). REFUND and ACCOUNT_CREDIT: a paid
     * invoice's payments, at most the total less earlier credit notes. Every refund is a negative payment (method
     * REFUND, reference the note's number) in the payment history; what Stripe collected Stripe refunds (after the
     * commit, from the outbox), what was paid by hand is paid back by hand. An account credit posts a CREDIT_NOTE entry
     * to the ledger's CREDITS. A reduction of an invoice Stripe collects reaches Stripe as a Stripe credit note, so
     * Stripe collects only the rest.
     * Only open invoices have an amount due, and only paid ones are refunded or credited: an open invoice's partial
     * payments are corrected by reducing what it owes. Platform admins.
     */
    public InvoiceStore.CreditNote createCreditNote(Viewer viewer, CreditNoteInput input) {
        Invoice invoice = find(viewer, input.invoiceId());
        tenantScope.requirePlatformAdmin(viewer);
        BigDecimal amount = checkAmount(input.amount(), invoice.currency());
        String reason = input.reason() == null ? "" : input.reason().trim();
        if (reason.isEmpty()) {
            throw new UserInputException(UserError.of("reason", InvoiceErrorCode.BLANK, "Say what the credit note corrects."));
        }
        if (reason.length() > 500 || ControlCharacters.presentIn(reason)) {
            throw new UserInputException(UserError.of("reason", InvoiceErrorCode.INVALID, "The reason has at most 500 characters."));
        }
        Instant now = clock.instant();
        String series = "CN-" + now.atZone(ZoneOffset.UTC).getYear();
        store.ensureSeries(series);
        long noteId = store.write(connection -> {
            Invoice locked = store.find(connection, invoice.id(), true).orElseThrow();
            if (locked.status() != InvoiceStatus.OPEN && locked.status() != InvoiceStatus.PAID) {
                throw new UserInputException(UserError.of("invoiceId", InvoiceErrorCode.INVALID_STATE, "Only open or paid invoices take credit notes; this one is "
                        + locked.status() + "."));
            }
            CreditNoteSettlement settlement = settlement(input.settlement(), locked);
            BigDecimal limit = settlement == CreditNoteSettlement.REDUCE_AMOUNT_DUE ? locked.amountDue() : locked.total().subtract(locked.amountCredited());
            if (amount.compareTo(limit) > 0) {
                throw new UserInputException(UserError.of("amount", InvoiceErrorCode.EXCEEDS_AMOUNT, "A credit note corrects at most "
                        + limit.toPlainString() + " " + locked.currency() + " of this invoice."));
            }
            boolean throughStripe = switch (settlement) {
                // An open invoice Stripe collects, or will once the finalization's send is done (the note waits for it).
                case REDUCE_AMOUNT_DUE -> locked.stripeInvoiceId() != null || (stripe.configured() && locked.total().signum() > 0);
                case REFUND -> locked.stripeInvoiceId() != null && store.paidThroughStripe(connection, locked.id());
                case ACCOUNT_CREDIT -> false;
            };
            String number = series + "-" + String.format("%06d", store.nextNumber(connection, series));
            long id = store.insertCreditNote(connection, locked.id(), number, settlement, amount, reason, viewer.email(), throughStripe, now);
            switch (settlement) {
                case REDUCE_AMOUNT_DUE -> settleIfPaid(connection, locked, limit.subtract(amount), now);
                // The payment history shows every refund, whoever pays it back; Stripe's credit note id is the note's.
                case REFUND -> store.insertPayment(connection, locked.id(), amount.negate(), "REFUND", number, now, viewer.email(), now);
                case ACCOUNT_CREDIT -> ledger.postSystemEntry(new LedgerService.SystemEntry(locked.organizationId(), LedgerEntryKind.CREDIT_NOTE,
                        LedgerAccount.CREDITS, amount, locked.currency(), "Credit note " + number + " of invoice " + locked.number(), "credit-note:" + id));
            }
            Map<String, Object> data = new LinkedHashMap<>(webhookData(store.find(connection, locked.id(), false).orElseThrow()));
            Map<String, Object> note = new LinkedHashMap<>();
            note.put("number", number);
            note.put("settlement", settlement.name());
            note.put("amount", money(amount, locked.currency()));
            note.put("reason", reason);
            data.put("creditNote", note);
            webhooks.enqueue(locked.organizationId(), WebhookEventTypes.INVOICE_CREDIT_NOTE_CREATED, data);
            if (throughStripe) {
                stripeEvents.publishEvent(new StripeOwed(id, null));
            }
            return id;
        });
        return store.creditNote(noteId).orElseThrow();
    }

    /** The settlement asked for, or REDUCE_AMOUNT_DUE on an open invoice; refused when it does not fit the invoice's status. */
    private static CreditNoteSettlement settlement(@Nullable CreditNoteSettlement asked, Invoice invoice) {
        boolean open = invoice.status() == InvoiceStatus.OPEN;
        if (asked == null) {
            if (open) {
                return CreditNoteSettlement.REDUCE_AMOUNT_DUE;
            }
            throw new UserInputException(UserError.of("settlement", InvoiceErrorCode.BLANK, "Invoice " + invoice.number()
                    + " is paid: say whether the credit note refunds what was paid (REFUND) or credits it to the account (ACCOUNT_CREDIT)."));
        }
        if (open != (asked == CreditNoteSettlement.REDUCE_AMOUNT_DUE)) {
            throw new UserInputException(UserError.of("settlement", InvoiceErrorCode.INVALID_STATE, open
                    ? "Invoice " + invoice.number() + " is open: a credit note reduces what it owes (REDUCE_AMOUNT_DUE); refunds and account credits are for paid invoices."
                    : "Invoice " + invoice.number() + " is paid: a credit note refunds (REFUND) or credits (ACCOUNT_CREDIT) what was paid; nothing is owed to reduce."));
        }
        return asked;
    }

    /** A positive amount in the currency's minor unit at most. */
    private static BigDecimal checkAmount(@Nullable BigDecimal amount, String currency) {
        if (amount == null) {
            throw new UserInputException(UserError.of("amount", InvoiceErrorCode.BLANK, "Enter the amount."));
        }
        if (amount.signum() <= 0 || amount.stripTrailingZeros().scale() > Money.minorDigits(currency)) {
            throw new UserInputException(UserError.of("amount", InvoiceErrorCode.OUT_OF_RANGE, "The amount must be more than 0, in whole "
                    + (Money.minorDigits(currency) == 0 ? currency : "minor units of " + currency) + "."));
        }
        return Money.toMinorUnit(amount, currency);
    }

    /** The webhook events' data: the invoice's id, number, period, status and totals. */
    static Map<String, Object> webhookData(Invoice invoice) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("invoiceId", GlobalId.encode(INVOICE_TYPE, invoice.id()));
        data.put("number", invoice.number());
        data.put("periodStart", invoice.periodStart().toString());
        data.put("periodEnd", invoice.periodEnd().minusDays(1).toString());
        data.put("status", invoice.status().name());
        data.put("total", money(invoice.total(), invoice.currency()));
        data.put("amountDue", money(invoice.amountDue(), invoice.currency()));
        return data;
    }

    private static Map<String, Object> money(BigDecimal amount, String currency) {
        Map<String, Object> money = new LinkedHashMap<>();
        money.put("amount", Money.toMinorUnit(amount, currency).toPlainString());
        money.put("currencyCode", currency);
        return money;
    }
}
