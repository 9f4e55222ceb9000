package io.meterline.plugin.smartflo;

import io.meterline.plugin.spi.UsageException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads numbers out of a parsed usage object strictly: a number is a JSON number, and a count is one
 * that is whole and not negative. Strings are refused on purpose, because a gateway that quotes numbers has
 * usually mangled something else too, and a guessed count becomes a wrong bill.
 */
final class NativeUsageFields {

    /** Where the usage object sits in an event, so error fields read {@code usage.duration_seconds}. */
    static final String ROOT = "usage";

    private NativeUsageFields() {
    }

    /** Whether the object holds a non-null value under the key. */
    static boolean present(Map<String, Object> object, String key) {
        return object.get(key) != null;
    }

    /**
     * A count that must be present.
     *
     * @param object the usage object or a nested object of it
     * @param path the path of {@code object}, such as {@code usage}
     * @param key the key inside it
     * @return the count, at scale 0
     * @throws UsageException INVALID_USAGE when missing, not a number, negative or a fraction
     */
    static BigDecimal requiredCount(Map<String, Object> object, String path, String key) throws UsageException {
        Optional<BigDecimal> count = optionalCount(object, path, key);
        if (count.isEmpty()) {
            throw invalid(path + "." + key, path + "." + key + " is required");
        }
        return count.get();
    }

    /**
     * A non-negative number that must be present; fractions are allowed.
     *
     * @param object the usage object or a nested object of it
     * @param path the path of {@code object}
     * @param key the key inside it
     * @return the number
     * @throws UsageException INVALID_USAGE when missing, not a number or negative
     */
    static BigDecimal requiredNumber(Map<String, Object> object, String path, String key) throws UsageException {
        Object value = object.get(key);
        String field = path + "." + key;
        if (value == null) {
            throw invalid(field, field + " is required");
        }
        BigDecimal number = toDecimal(value, field);
        if (number.signum() < 0) {
            throw invalid(field, field + " must not be negative, got " + number.toPlainString());
        }
        return number;
    }

    /**
     * A count that may be absent or {@code null}.
     *
     * @param object the usage object or a nested object of it
     * @param path the path of {@code object}
     * @param key the key inside it
     * @return the count at scale 0, empty when absent
     * @throws UsageException INVALID_USAGE when not a number, negative or a fraction
     */
    static Optional<BigDecimal> optionalCount(Map<String, Object> object, String path, String key) throws UsageException {
        Object value = object.get(key);
        if (value == null) {
            return Optional.empty();
        }
        String field = path + "." + key;
        BigDecimal number = toDecimal(value, field);
        if (number.signum() < 0) {
            throw invalid(field, field + " must not be negative, got " + number.toPlainString());
        }
        if (number.stripTrailingZeros().scale() > 0) {
            throw invalid(field, field + " must be a whole number, got " + number.toPlainString());
        }
        return Optional.of(number.setScale(0));
    }

    /**
     * A nested object that may be absent or {@code null}.
     *
     * @param object the usage object
     * @param path the path of {@code object}
     * @param key the key of the nested object
     * @return the nested object, empty when absent
     * @throws UsageException INVALID_USAGE when the value is not an object
     */
    static Optional<Map<String, Object>> optionalObject(Map<String, Object> object, String path, String key) throws UsageException {
        Object value = object.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Map)) {
            throw invalid(path + "." + key, path + "." + key + " must be an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> nested = (Map<String, Object>) value;
        return Optional.of(nested);
    }

    /** An INVALID_USAGE exception for a field. */
    static UsageException invalid(String field, String message) {
        return new UsageException(field, UsageException.Code.INVALID_USAGE, message);
    }

    private static BigDecimal toDecimal(Object value, String field) throws UsageException {
        if (value instanceof BigDecimal) {
            return (BigDecimal) value;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof BigInteger) {
            return new BigDecimal((BigInteger) value);
        }
        if (value instanceof Number) {
            try {
                // Through the decimal text, so 0.1 stays 0.1 rather than its binary neighbour.
                return new BigDecimal(value.toString());
            }
            catch (NumberFormatException notFinite) {
                throw invalid(field, field + " must be a finite number, got " + value);
            }
        }
        throw invalid(field, field + " must be a number, got " + describe(value));
    }

    private static String describe(Object value) {
        if (value instanceof String) {
            return "the string \"" + value + "\"";
        }
        return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
    }
}
