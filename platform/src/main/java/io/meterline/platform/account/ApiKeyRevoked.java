package io.meterline.platform.account;

/**
 * Published when an API key is revoked, inside the revoking transaction: listeners that cache keys
 * act once it commits ({@code @TransactionalEventListener}).
 *
 * @param organizationId the key's organization
 * @param apiKeyId the key's row id
 */
public record ApiKeyRevoked(long organizationId, long apiKeyId) {
}
