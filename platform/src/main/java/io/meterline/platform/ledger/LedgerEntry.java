package io.meterline.platform.ledger;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * One change of one balance, stored or about to be. Usage is posted once per ingestion batch per
 * (account, service, currency), not per event: the entry carries how many events it covers and the
 * first and last of their ids, and the events themselves keep the per-call detail. That keeps the
 * ledger at a handful of rows per batch instead of several per event (issue 3: the per-event rows
 * had made ingestion a third slower).
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
 * @param createdAt when it was posted
 */
public record LedgerEntry(@Nullable Long id, long organizationId, LedgerEntryKind kind, LedgerAccount account, BigDecimal amount,
                          @Nullable String currencyCode, @Nullable String service, long tokens, long images, String description,
                          @Nullable String reason, @Nullable String createdBy, long eventCount, @Nullable String usageEventId,
                          @Nullable String lastUsageEventId, @Nullable LocalDate allowancePeriod, Instant createdAt) {

    /** The GraphQL type name, used in ids. */
    public static final String TYPE = "LedgerEntry";

    /** An automatic entry that covers no usage event: a plan allowance or expiry. */
    static LedgerEntry automatic(long organizationId, LedgerEntryKind kind, LedgerAccount account, BigDecimal amount, long tokens, String description,
                                 @Nullable LocalDate allowancePeriod, Instant createdAt) {
        return new LedgerEntry(null, organizationId, kind, account, amount, null, null, tokens, 0, truncate(description), null, null, 0, null, null,
                allowancePeriod, createdAt);
    }

    /** A usage entry of one batch: what {@code eventCount} events, from the first to the last id, drew from one account for one service. */
    static LedgerEntry usage(long organizationId, LedgerAccount account, BigDecimal amount, @Nullable String currency, String service, long tokens,
                             long images, String description, long eventCount, String firstEventId, String lastEventId, Instant createdAt) {
        return new LedgerEntry(null, organizationId, LedgerEntryKind.USAGE, account, amount, currency, service, tokens, images, truncate(description),
                null, null, eventCount, firstEventId, lastEventId, null, createdAt);
    }

    static String truncate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200);
    }
}
