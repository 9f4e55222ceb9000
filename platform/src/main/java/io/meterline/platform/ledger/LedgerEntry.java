package io.meterline.platform.ledger;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * One change of one balance, stored or about to be.
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
 * @param usageEventId the client's event id of a usage entry
 * @param allowancePeriod the period a rollover PLAN_ALLOWANCE grants (unique per organization)
 * @param createdAt when it was posted
 */
public record LedgerEntry(@Nullable Long id, long organizationId, LedgerEntryKind kind, LedgerAccount account, BigDecimal amount,
                          @Nullable String currencyCode, @Nullable String service, long tokens, long images, String description,
                          @Nullable String reason, @Nullable String createdBy, @Nullable String usageEventId,
                          @Nullable LocalDate allowancePeriod, Instant createdAt) {

    /** The GraphQL type name, used in ids. */
    public static final String TYPE = "LedgerEntry";

    /** An automatic entry: no reason, no admin. */
    static LedgerEntry automatic(long organizationId, LedgerEntryKind kind, LedgerAccount account, BigDecimal amount, @Nullable String currency,
                                 @Nullable String service, long tokens, long images, String description, @Nullable String usageEventId,
                                 @Nullable LocalDate allowancePeriod, Instant createdAt) {
        return new LedgerEntry(null, organizationId, kind, account, amount, currency, service, tokens, images, truncate(description), null, null,
                usageEventId, allowancePeriod, createdAt);
    }

    static String truncate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200);
    }
}
