package io.meterline.platform.profile;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.security.User;
import io.meterline.platform.security.UserRepository;
import io.meterline.platform.common.ContactFields;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.CredentialService;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The signed-in user's profile (display name, phone, email read only) and time zone. A user's own
 * zone, when set, is the zone their dates are shown in; otherwise the organization's. The effective
 * zone for the viewer and for queries that default to it is resolved in one place,
 * {@link io.meterline.platform.time.ViewerZones}.
 */
@Singleton
public class ProfileService {

    static final int MAX_DISPLAY_NAME = 200;

    /**
     * What the profile page shows.
     *
     * @param user the user
     * @param phone the phone, E.164, or null
     * @param timeZone the user's own zone, or null
     * @param effectiveTimeZone the zone the user's dates are shown in
     */
    public record Profile(User user, @Nullable String phone, @Nullable String timeZone, String effectiveTimeZone) {
    }

    /**
     * A change of the profile: a field the input did not name keeps its value.
     *
     * @param displayNameGiven whether the input named {@code displayName}
     * @param phoneGiven whether it named {@code phone} (null or blank clears it)
     * @param timeZoneGiven whether it named {@code timeZone} (null or blank follows the organization again)
     */
    public record Update(boolean displayNameGiven, @Nullable String displayName, boolean phoneGiven, @Nullable String phone,
                         boolean timeZoneGiven, @Nullable String timeZone) {
    }

    private final UserRepository users;
    private final UserProfileRepository profiles;
    private final OrganizationRepository organizations;
    private final CredentialService credentials;
    private final JdbcOperations jdbc;
    private final Clock clock;

    public ProfileService(UserRepository users, UserProfileRepository profiles, OrganizationRepository organizations, CredentialService credentials,
                          JdbcOperations jdbc, Clock clock) {
        this.users = users;
        this.profiles = profiles;
        this.organizations = organizations;
        this.credentials = credentials;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The viewer's profile. */
    @Transactional
    public Profile read(Viewer viewer) {
        User user = signedInUser(viewer);
        Optional<UserProfile> profile = profiles.findById(user.id());
        return toProfile(user, profile);
    }

    /** The viewer's pending email change, if any. */
    public Optional<CredentialService.PendingEmail> pendingEmail(Viewer viewer) {
        return credentials.pendingEmail(viewer.userId());
    }

    /** Changes the viewer's own profile; everything is checked before the one write. */
    @Transactional
    public Profile update(Viewer viewer, Update input) {
        User user = signedInUser(viewer);
        Optional<UserProfile> existing = profiles.findById(user.id());
        List<UserError> errors = new ArrayList<>();
        String displayName = user.displayName();
        if (input.displayNameGiven()) {
            displayName = ContactFields.text(input.displayName(), "displayName", "Display name", MAX_DISPLAY_NAME, true, errors);
        }
        String phone = existing.map(UserProfile::phone).orElse(null);
        if (input.phoneGiven()) {
            phone = ContactFields.phone(input.phone(), "phone", errors);
        }
        String zone = existing.map(UserProfile::timeZone).orElse(null);
        if (input.timeZoneGiven()) {
            zone = ContactFields.timeZone(input.timeZone(), "timeZone", errors);
        }
        UserInputException.throwIfAny(errors);
        if (!displayName.equals(user.displayName())) {
            String name = displayName;
            jdbc.prepareStatement("UPDATE app_user SET display_name = ? WHERE id = ?", statement -> {
                statement.setString(1, name);
                statement.setLong(2, user.id());
                return statement.executeUpdate();
            });
        }
        UserProfile saved = new UserProfile(user.id(), phone, zone, clock.instant());
        if (existing.isPresent()) {
            profiles.update(saved);
        }
        else {
            profiles.save(saved);
        }
        return toProfile(users.findById(user.id()).orElseThrow(), Optional.of(saved));
    }

    private Profile toProfile(User user, Optional<UserProfile> profile) {
        String own = profile.map(UserProfile::timeZone).orElse(null);
        String effective = own != null ? own : user.organizationId() == null ? "UTC"
                : organizations.findById(user.organizationId()).map(Organization::timeZone).orElse("UTC");
        return new Profile(user, profile.map(UserProfile::phone).orElse(null), own, effective);
    }

    private User signedInUser(Viewer viewer) {
        return users.findById(viewer.userId()).orElseThrow(() -> new MeterlineException(ErrorCode.UNAUTHENTICATED, "The signed-in user no longer exists"));
    }
}
