package io.meterline.platform.profile;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * A user's own settings that sign-in does not need: phone and time zone. Kept beside
 * {@code app_user} so the sign-in row stays small; no row means no phone and the organization's zone.
 *
 * @param userId the user
 * @param phone the phone in E.164 form, or null
 * @param timeZone the user's IANA zone, or null to follow the organization's
 * @param updatedAt when it last changed
 */
@MappedEntity("user_profile")
public record UserProfile(@Id Long userId, @Nullable String phone, @Nullable String timeZone, Instant updatedAt) {
}
