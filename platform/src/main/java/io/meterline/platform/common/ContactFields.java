package io.meterline.platform.common;

import io.micronaut.core.annotation.Nullable;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks of the contact fields that profiles, company details, invitations and email changes share,
 * so every form refuses the same values with the same codes.
 *
 * <p>Phones are international (E.164): a {@code +}, the country code and the number, 8 to 15 digits
 * in all; spaces, dots, dashes and parentheses may separate them and are dropped, so
 * {@code +1 (416) 555-0100} is stored as {@code +14165550100}. A number without its country code
 * cannot be dialled from a billing system abroad, so it is refused.
 */
public final class ContactFields {

    /** The longest email address SMTP allows. */
    public static final int MAX_EMAIL = 254;
    /** What an email address must look like: one @, a dot in the domain, no spaces. */
    public static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{2,}");
    private static final Pattern PHONE_SEPARATORS = Pattern.compile("[\\s.()\\-]");
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{7,14}");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    private ContactFields() {
    }

    /** A trimmed value, or null when it is null or blank. */
    public static @Nullable String trimmed(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** A required or optional text of at most {@code max} characters; returns it trimmed. */
    public static @Nullable String text(@Nullable String value, String field, String label, int max, boolean required, List<UserError> errors) {
        String text = trimmed(value);
        if (text == null) {
            if (required) {
                errors.add(UserError.of(field, ContactErrorCode.BLANK, label + " can't be blank"));
            }
            return null;
        }
        if (text.length() > max) {
            errors.add(UserError.of(field, ContactErrorCode.LENGTH, label + " is longer than " + max + " characters"));
        }
        return text;
    }

    /** An email address, normalized (trimmed, lower case); null when blank and optional. */
    public static @Nullable String email(@Nullable String value, String field, boolean required, List<UserError> errors) {
        String email = trimmed(value);
        if (email == null) {
            if (required) {
                errors.add(UserError.of(field, ContactErrorCode.BLANK, "Email can't be blank"));
            }
            return null;
        }
        email = email.toLowerCase(Locale.ROOT);
        if (email.length() > MAX_EMAIL) {
            errors.add(UserError.of(field, ContactErrorCode.LENGTH, "Email is longer than " + MAX_EMAIL + " characters"));
        }
        else if (!EMAIL.matcher(email).matches()) {
            errors.add(UserError.of(field, ContactErrorCode.INVALID, "Email is not a valid address"));
        }
        return email;
    }

    /** A phone number in E.164 form ({@code +} and digits); null when blank. */
    public static @Nullable String phone(@Nullable String value, String field, List<UserError> errors) {
        String phone = trimmed(value);
        if (phone == null) {
            return null;
        }
        String compact = PHONE_SEPARATORS.matcher(phone).replaceAll("");
        if (!E164.matcher(compact).matches()) {
            errors.add(UserError.of(field, ContactErrorCode.INVALID, "Phone must be in international format: + and the country code, such as +1 416 555 0100"));
            return phone;
        }
        return compact;
    }

    /** An ISO 3166-1 alpha-2 country code, upper case. */
    public static @Nullable String country(@Nullable String value, String field, List<UserError> errors) {
        String country = trimmed(value);
        if (country == null) {
            errors.add(UserError.of(field, ContactErrorCode.BLANK, "Country can't be blank"));
            return null;
        }
        country = country.toUpperCase(Locale.ROOT);
        if (!COUNTRIES.contains(country)) {
            errors.add(UserError.of(field, ContactErrorCode.INVALID, country + " is not an ISO 3166 country code, such as CA or DE"));
        }
        return country;
    }

    /** An IANA time zone id, such as {@code Europe/Berlin}; fixed offsets such as {@code +05:30} are refused. */
    public static @Nullable String timeZone(@Nullable String value, String field, List<UserError> errors) {
        String zone = trimmed(value);
        if (zone == null) {
            return null;
        }
        if (!ZoneId.getAvailableZoneIds().contains(zone)) {
            errors.add(UserError.of(field, ContactErrorCode.INVALID, zone + " is not an IANA time zone, such as America/Toronto"));
            return zone;
        }
        try {
            return ZoneId.of(zone).getId();
        }
        catch (DateTimeException e) {
            errors.add(UserError.of(field, ContactErrorCode.INVALID, zone + " is not an IANA time zone, such as America/Toronto"));
            return zone;
        }
    }
}
