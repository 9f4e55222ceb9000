package io.meterline.platform.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** A secret for machine callers. Only the SHA-256 of the secret is stored. */
@MappedEntity("api_key")
public record ApiKey(
        @Id @GeneratedValue @Nullable Long id,
        long organizationId,
        String prefix,
        String secretHash,
        String label,
        ApiKeyStatus status,
        Instant createdAt,
        @Nullable Instant lastUsedAt,
        @Nullable Instant revokedAt) {

    public ApiKey revoked(Instant at) {
        return new ApiKey(id, organizationId, prefix, secretHash, label, ApiKeyStatus.REVOKED, createdAt, lastUsedAt, at);
    }
}
