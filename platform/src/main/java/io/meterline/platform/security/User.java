package io.meterline.platform.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** A person who signs in with email and password. */
@MappedEntity("app_user")
public record User(
        @Id @GeneratedValue @Nullable Long id,
        @Nullable Long organizationId,
        String email,
        String passwordHash,
        String displayName,
        Role role,
        Instant createdAt) {
}
