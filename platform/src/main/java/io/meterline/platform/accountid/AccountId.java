package io.meterline.platform.accountid;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * An access code a tool user types to enter the organization's tools workspace (seed 000, Usage
 * Controls). Usage events name it in their {@code account_id} dimension.
 *
 * @param id the row id
 * @param organizationId the organization
 * @param code the access code, upper case, unique in the organization for ever
 * @param label the readable name (the page's "User Name")
 * @param status active, suspended or archived
 * @param dailyTokenLimit the tokens it may use per day in the organization's time zone, null for unlimited
 * @param budgetId the HARD daily TOKENS budget that enforces the limit, null while unlimited
 * @param createdAt when it was created
 * @param createdBy the email of who created it
 * @param statusChangedAt when it was last suspended, reactivated or archived
 */
@MappedEntity("account_id")
public record AccountId(
        @Id @GeneratedValue @Nullable Long id,
        long organizationId,
        String code,
        String label,
        AccountIdStatus status,
        @Nullable Long dailyTokenLimit,
        @Nullable Long budgetId,
        Instant createdAt,
        String createdBy,
        @Nullable Instant statusChangedAt) {

    /** The GraphQL type name, also the type part of global ids. */
    public static final String TYPE = "AccountId";

    AccountId withStatus(AccountIdStatus newStatus, Instant at) {
        return new AccountId(id, organizationId, code, label, newStatus, dailyTokenLimit, budgetId, createdAt, createdBy, at);
    }

    AccountId withDetails(String newLabel, @Nullable Long newLimit, @Nullable Long newBudgetId) {
        return new AccountId(id, organizationId, code, newLabel, status, newLimit, newBudgetId, createdAt, createdBy, statusChangedAt);
    }
}
