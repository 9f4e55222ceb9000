package io.meterline.platform.ledger;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * One change of one balance, stored or about to be. Usage is posted once per usage day (UTC, the day
 * whose exchange rate converted it) per (account, service, currency), not per event nor per batch:
 * later usage of the same day adds into the day's entry, which carries how many events it covers and
 * the first and last of their ids, while the events themselves keep the per-call detail. That keeps
 * the ledger at a handful of rows per batch (issue 3: per-event rows had made ingestion a third
 * slower) and makes the transaction list read like a statement (issue 16). A usage entry about to be
 * stored holds what one batch adds: its amounts, counts and latest time are added into the day's row.
 *
 * @param id the row id, null before it is stored
 * @param organizationId the organization
 * @param kind why it was posted
 * @param account the balance it changes
 * @param amount signed: money for CREDITS, a token count for token accounts
 * @param currencyCode the currency of a CREDITS amount, null for tokens
 * @param service what was used, for usage entries
 * @param tokens tokens it stands for
 * @param images images it stands for
 * @param description a line for people
 * @param reason why an admin posted it
 * @param createdBy the admin who posted it
 * @param eventCount the usage events a usage entry covers; 0 for every other kind
 * @param usageEventId the client's id of the first event a usage entry covers, in batch order
 * @param lastUsageEventId the client's id of the last event a usage entry covers, in batch order
 * @param allowancePeriod the period a rollover PLAN_ALLOWANCE grants (unique per organization)
 * @param usageDay the UTC day of the usage a usage entry covers; null for every other kind
 * @param createdAt when it was posted; for a usage entry, the time of the latest usage it covers
 */
public record LedgerEntry(@Nullable Long id, long organizationId, LedgerEntryKind kind, LedgerAccount account, BigDecimal amount,
                          @Nullable String currencyCode, @Nullable String service, long tokens, long images, String description,
                          @Nullable String reason, @Nullable String createdBy, long eventCount, @Nullable String usageEventId,
                          @Nullable String lastUsageEventId, @Nullable LocalDate allowancePeriod, @Nullable LocalDate usageDay, Instant createdAt) {

    /** The GraphQL type name, used in ids. */
    public static final String TYPE = "LedgerEntry";

    /** An automatic entry that covers no usage event: a plan allowance or expiry. */
    static LedgerEntry automatic(long organizationId, LedgerEntryKind kind, LedgerAccount account, BigDecimal amount, long tokens, String description,
                                 @Nullable LocalDate allowancePeriod, Instant createdAt) {
        return new LedgerEntry(null, organizationId, kind, account, amount, null, null, tokens, 0, truncate(description), null, null, 0, null, null,
                allowancePeriod, null, createdAt);
    }

    /**
     * What {@code eventCount} events of one usage day, from the first to the last id, drew from one account for one service:
     * added into the day's entry when it exists.
     *
     * @param lastUsageAt the time of the latest of those events, which dates the entry
     */
    static LedgerEntry usage(long organizationId, LocalDate usageDay, LedgerAccount account, BigDecimal amount, @Nullable String currency, String service,
                             long tokens, long images, long eventCount, String firstEventId, String lastEventId, Instant lastUsageAt) {
        String description = service + " usage on " + usageDay + switch (account) {
            case PLAN_TOKENS -> ", from plan tokens";
            case TOPUP_TOKENS -> ", from top-up tokens";
            case CREDITS -> "";
        };
        return new LedgerEntry(null, organizationId, LedgerEntryKind.USAGE, account, amount, currency, service, tokens, images, truncate(description),
                null, null, eventCount, firstEventId, lastEventId, null, usageDay, lastUsageAt);
    }

    /**
     * The identity of a usage entry within its organization, unique (V29): its day, account, service and currency. The migration
     * writes the same text for the entries it merged.
     */
    @Nullable
    String usageKey() {
        return usageDay == null ? null : usageDay + "/" + account + "/" + service + "/" + (currencyCode == null ? "" : currencyCode);
    }

    static String truncate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200);
    }
}
