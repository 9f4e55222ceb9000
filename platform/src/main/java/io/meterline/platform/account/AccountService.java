package io.meterline.platform.account;

import io.meterline.platform.common.ContactFields;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.PasswordHasher;
import io.meterline.platform.security.PasswordPolicy;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.User;
import io.meterline.platform.security.UserRepository;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Organizations and users: creation with validation, and the bootstrap admin. */
@Singleton
public class AccountService {

    private static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final OrganizationRepository organizations;
    private final UserRepository users;
    private final PasswordHasher passwordHasher;
    private final PasswordPolicy passwordPolicy;
    private final TenantScope tenantScope;
    private final Clock clock;

    public AccountService(OrganizationRepository organizations, UserRepository users, PasswordHasher passwordHasher, PasswordPolicy passwordPolicy,
                          TenantScope tenantScope, Clock clock) {
        this.organizations = organizations;
        this.users = users;
        this.passwordHasher = passwordHasher;
        this.passwordPolicy = passwordPolicy;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    /** What a new organization needs. */
    public record NewOrganization(String name, String slug, @Nullable String billingCurrency, @Nullable String timeZone) {
    }

    /** What a new user needs. */
    public record NewUser(@Nullable String organizationId, String email, String password, @Nullable String displayName, Role role) {
    }

    @Transactional
    public Organization createOrganization(Viewer viewer, NewOrganization input) {
        tenantScope.requirePlatformAdmin(viewer);
        List<UserError> errors = new ArrayList<>();
        String name = input.name() == null ? "" : input.name().trim();
        if (name.isEmpty()) {
            errors.add(UserError.of("name", AccountErrorCode.BLANK, "Name can't be blank"));
        }
        else if (name.length() > 200) {
            errors.add(UserError.of("name", AccountErrorCode.LENGTH, "Name is longer than 200 characters"));
        }
        String slug = input.slug() == null ? "" : input.slug().trim();
        if (!SLUG.matcher(slug).matches() || slug.length() < 2) {
            errors.add(UserError.of("slug", AccountErrorCode.INVALID, "Slug must be 2 to 63 lower-case letters, digits or dashes"));
        }
        else if (organizations.existsBySlug(slug)) {
            errors.add(UserError.of("slug", AccountErrorCode.TAKEN, "Slug " + slug + " is already taken"));
        }
        String currency = input.billingCurrency() == null ? "USD" : input.billingCurrency();
        String zone = input.timeZone() == null ? "UTC" : input.timeZone();
        validateZone(zone, "timeZone", errors);
        UserInputException.throwIfAny(errors);
        return organizations.save(new Organization(null, name, slug, Currency.getInstance(currency).getCurrencyCode(), zone,
                UnpricedUsagePolicy.ACCEPT, BigDecimal.ONE, BigDecimal.ZERO, clock.instant()));
    }

    @Transactional
    public User createUser(Viewer viewer, NewUser input) {
        Long organizationId;
        if (input.role() == Role.PLATFORM_ADMIN) {
            tenantScope.requirePlatformAdmin(viewer);
            if (input.organizationId() != null) {
                throw new UserInputException(UserError.of("organizationId", AccountErrorCode.INVALID, "Platform admins belong to no organization"));
            }
            organizationId = null;
        }
        else {
            organizationId = tenantScope.organizationToManage(viewer, input.organizationId());
            organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound(input.organizationId()));
        }
        List<UserError> errors = new ArrayList<>();
        String email = normalizeEmail(input.email());
        if (!ContactFields.EMAIL.matcher(email).matches() || email.length() > ContactFields.MAX_EMAIL) {
            errors.add(UserError.of("email", AccountErrorCode.INVALID, "Email is not a valid address"));
        }
        else if (users.existsByEmail(email)) {
            errors.add(UserError.of("email", AccountErrorCode.TAKEN, "A user with this email already exists"));
        }
        passwordPolicy.validate(input.password(), email, "password", errors);
        String displayName = input.displayName() == null || input.displayName().isBlank()
                ? email.substring(0, Math.max(0, email.indexOf('@'))) : input.displayName().trim();
        if (displayName.length() > 200) {
            errors.add(UserError.of("displayName", AccountErrorCode.LENGTH, "Display name is longer than 200 characters"));
        }
        UserInputException.throwIfAny(errors);
        return users.save(new User(null, organizationId, email, passwordHasher.hash(input.password()), displayName, input.role(), clock.instant()));
    }

    /** Creates the first platform admin, unless one exists. Returns whether it created one. */
    @Transactional
    public boolean bootstrapPlatformAdmin(String email, String password) {
        if (users.existsByRole(Role.PLATFORM_ADMIN)) {
            return false;
        }
        List<UserError> errors = new ArrayList<>();
        passwordPolicy.validate(password, normalizeEmail(email), "password", errors);
        if (!ContactFields.EMAIL.matcher(normalizeEmail(email)).matches()) {
            errors.add(UserError.of("email", AccountErrorCode.INVALID, "Email is not a valid address"));
        }
        UserInputException.throwIfAny(errors);
        users.save(new User(null, null, normalizeEmail(email), passwordHasher.hash(password), "Platform admin", Role.PLATFORM_ADMIN, clock.instant()));
        return true;
    }

    /** Changes an organization's price overrides; platform admins only. */
    @Transactional
    public Organization updatePricing(Viewer viewer, String organizationId, @Nullable BigDecimal costFactor, @Nullable BigDecimal discountPercent, @Nullable UnpricedUsagePolicy policy) {
        tenantScope.requirePlatformAdmin(viewer);
        long id = tenantScope.organizationFor(viewer, organizationId);
        Organization organization = organizations.findById(id).orElseThrow(() -> MeterlineException.notFound(organizationId));
        List<UserError> errors = new ArrayList<>();
        if (costFactor != null && (costFactor.signum() < 0 || costFactor.compareTo(HUNDRED) > 0)) {
            errors.add(UserError.of("costFactor", AccountErrorCode.OUT_OF_RANGE, "Cost factor must be between 0 and 100"));
        }
        if (discountPercent != null && (discountPercent.signum() < 0 || discountPercent.compareTo(HUNDRED) > 0)) {
            errors.add(UserError.of("discountPercent", AccountErrorCode.OUT_OF_RANGE, "Discount must be between 0 and 100 percent"));
        }
        UserInputException.throwIfAny(errors);
        return organizations.update(organization.withPricing(
                costFactor == null ? organization.costFactor() : costFactor,
                discountPercent == null ? organization.discountPercent() : discountPercent,
                policy == null ? organization.unpricedUsagePolicy() : policy));
    }

    static String normalizeEmail(@Nullable String email) {
        return email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
    }

    /** Adds an error when the zone is not an IANA id. */
    public static void validateZone(String zone, String field, List<UserError> errors) {
        try {
            ZoneId.of(zone);
        }
        catch (DateTimeException e) {
            errors.add(UserError.of(field, AccountErrorCode.INVALID, zone + " is not an IANA time zone"));
        }
    }
}
