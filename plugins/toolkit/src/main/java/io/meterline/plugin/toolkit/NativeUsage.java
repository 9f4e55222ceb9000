package io.meterline.plugin.toolkit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads numbers out of a parsed native usage object (JSON parsed into maps, lists, numbers, strings
 * and booleans) strictly: a number is a JSON number, and a count is one that is whole and not negative.
 * Strings are refused on purpose, because a gateway that quotes numbers has usually mangled something
 * else too, and a guessed count becomes a wrong bill.
 *
 * <p>The toolkit depends on the JDK alone, so it does not know the SPI's {@code UsageException}: the
 * plugin says how a refusal becomes its exception, once, and every reading method throws that:
 *
 * <pre>{@code
 * private static final NativeUsage<UsageException> USAGE = new NativeUsage<>(
 *         (field, message) -> new UsageException(field, UsageException.Code.INVALID_USAGE, message));
 * ...
 * BigDecimal characters = USAGE.requiredCount(nativeUsage, NativeUsage.ROOT, "character_count");
 * }</pre>
 *
 * Every refusal names the field's full path, such as {@code usage.prompt_tokens_details.cached_tokens}.
 * A number keeps its exact decimal value: a {@code Double} is read through its decimal text, so 0.1 stays
 * 0.1 rather than its binary neighbour, and a count too large for a {@code long} stays exact.
 *
 * @param <E> the exception a refusal becomes
 */
public final class NativeUsage<E extends Exception> {

    /** Where the usage object sits in an event, so refused fields read {@code usage.prompt_tokens}. */
    public static final String ROOT = "usage";

    /** Turns a refused field into the plugin's exception. */
    @FunctionalInterface
    public interface Refusal<E extends Exception> {

        /**
         * The exception for a refused field.
         *
         * @param field the field's full path, such as {@code usage.prompt_tokens}
         * @param message a sentence a developer can act on
         * @return the exception to throw
         */
        E of(String field, String message);
    }

    private final Refusal<E> refusal;

    /**
     * A reader whose refusals become {@code refusal}'s exceptions.
     *
     * @param refusal how a refused field becomes the plugin's exception
     */
    public NativeUsage(Refusal<E> refusal) {
        this.refusal = Objects.requireNonNull(refusal, "refusal is null");
    }

    /** Whether the object holds a non-null value under the key. */
    public boolean present(Map<String, Object> object, String key) {
        return object.get(key) != null;
    }

    /**
     * A count that must be present.
     *
     * @param object the usage object or a nested object of it
     * @param path the path of {@code object}, such as {@code usage}
     * @param key the key inside it
     * @return the count, at scale 0
     * @throws E when missing, not a number, negative or a fraction
     */
    public BigDecimal requiredCount(Map<String, Object> object, String path, String key) throws E {
        return optionalCount(object, path, key).orElseThrow(() -> missing(path, key));
    }

    /**
     * A count that may be absent or {@code null}.
     *
     * @param object the usage object or a nested object of it
     * @param path the path of {@code object}
     * @param key the key inside it
     * @return the count at scale 0, empty when absent
     * @throws E when not a number, negative or a fraction
     */
    public Optional<BigDecimal> optionalCount(Map<String, Object> object, String path, String key) throws E {
        Optional<BigDecimal> number = optionalNumber(object, path, key);
        if (number.isPresent() && number.get().stripTrailingZeros().scale() > 0) {
            String field = path + "." + key;
            throw refusal.of(field, field + " must be a whole number, got " + number.get().toPlainString());
        }
        return number.map(count -> count.setScale(0));
    }

    /**
     * A non-negative number that must be present; fractions are allowed (durations, for instance).
     *
     * @param object the usage object or a nested object of it
     * @param path the path of {@code object}
     * @param key the key inside it
     * @return the number, at the scale it was sent with
     * @throws E when missing, not a number or negative
     */
    public BigDecimal requiredNumber(Map<String, Object> object, String path, String key) throws E {
        return optionalNumber(object, path, key).orElseThrow(() -> missing(path, key));
    }

    /**
     * A non-negative number that may be absent or {@code null}; fractions are allowed.
     *
     * @param object the usage object or a nested object of it
     * @param path the path of {@code object}
     * @param key the key inside it
     * @return the number at the scale it was sent with, empty when absent
     * @throws E when not a number or negative
     */
    public Optional<BigDecimal> optionalNumber(Map<String, Object> object, String path, String key) throws E {
        Object value = object.get(key);
        if (value == null) {
            return Optional.empty();
        }
        String field = path + "." + key;
        BigDecimal number = toDecimal(value, field);
        if (number.signum() < 0) {
            throw refusal.of(field, field + " must not be negative, got " + number.toPlainString());
        }
        return Optional.of(number);
    }

    /**
     * A nested object that may be absent or {@code null}.
     *
     * @param object the usage object
     * @param path the path of {@code object}
     * @param key the key of the nested object
     * @return the nested object, empty when absent
     * @throws E when the value is not an object
     */
    public Optional<Map<String, Object>> optionalObject(Map<String, Object> object, String path, String key) throws E {
        Object value = object.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Map)) {
            throw refusal.of(path + "." + key, path + "." + key + " must be an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> nested = (Map<String, Object>) value;
        return Optional.of(nested);
    }

    /**
     * The exception for a field the plugin's own rules refuse (a sum that does not add up, say).
     *
     * @param field the field's full path
     * @param message a sentence a developer can act on
     * @return the exception, for the caller to throw
     */
    public E invalid(String field, String message) {
        return refusal.of(field, message);
    }

    private E missing(String path, String key) {
        return refusal.of(path + "." + key, path + "." + key + " is required");
    }

    private BigDecimal toDecimal(Object value, String field) throws E {
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
                throw refusal.of(field, field + " must be a finite number, got " + value);
            }
        }
        throw refusal.of(field, field + " must be a number, got " + describe(value));
    }

    private static String describe(Object value) {
        if (value instanceof String) {
            return "the string \"" + value + "\"";
        }
        return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
    }
}
