package io.meterline.plugin.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NativeUsageTest {

    /** Stands in for the SPI's UsageException, which the toolkit must not know. */
    static final class Refused extends Exception {
        final String field;

        Refused(String field, String message) {
            super(message);
            this.field = field;
        }
    }

    private final NativeUsage<Refused> usage = new NativeUsage<>(Refused::new);

    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> object = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            object.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return object;
    }

    @Test
    void readsEveryKindOfJsonNumberAsAWholeCountAtScaleZero() throws Refused {
        Map<String, Object> object = object("int", 7, "long", 9_000_000_000L, "short", (short) 3, "byte", (byte) 2,
                "decimal", new BigDecimal("42.000"), "exponent", new BigDecimal("1E+3"), "double", 12.0, "float", 5.0f);
        assertThat(usage.requiredCount(object, "usage", "int")).isEqualTo(new BigDecimal("7"));
        assertThat(usage.requiredCount(object, "usage", "long")).isEqualTo(new BigDecimal("9000000000"));
        assertThat(usage.requiredCount(object, "usage", "short")).isEqualTo(new BigDecimal("3"));
        assertThat(usage.requiredCount(object, "usage", "byte")).isEqualTo(new BigDecimal("2"));
        assertThat(usage.requiredCount(object, "usage", "decimal")).isEqualTo(new BigDecimal("42"));
        assertThat(usage.requiredCount(object, "usage", "exponent")).isEqualTo(new BigDecimal("1000"));
        assertThat(usage.requiredCount(object, "usage", "double")).isEqualTo(new BigDecimal("12"));
        assertThat(usage.optionalCount(object, "usage", "float")).contains(new BigDecimal("5"));
    }

    @Test
    void keepsCountsBeyondALongAndDecimalsExact() throws Refused {
        BigInteger huge = BigInteger.TWO.pow(80);
        Map<String, Object> object = object("huge", huge, "max", Long.MAX_VALUE, "big_double", 1e20,
                "tenth", 0.1, "tenth_float", 0.1f, "precise", new BigDecimal("90.123456789123"));
        assertThat(usage.requiredCount(object, "usage", "huge")).isEqualTo(new BigDecimal(huge));
        assertThat(usage.requiredCount(object, "usage", "max")).isEqualTo(BigDecimal.valueOf(Long.MAX_VALUE));
        assertThat(usage.requiredCount(object, "usage", "big_double")).isEqualTo(new BigDecimal("100000000000000000000"));
        assertThat(usage.requiredNumber(object, "usage", "tenth")).isEqualTo(new BigDecimal("0.1"));
        assertThat(usage.requiredNumber(object, "usage", "tenth_float")).isEqualTo(new BigDecimal("0.1"));
        assertThat(usage.requiredNumber(object, "usage", "precise")).isEqualTo(new BigDecimal("90.123456789123"));
    }

    @Test
    void missingAndNullAreAbsentForOptionalFieldsAndRefusedForRequiredOnes() throws Refused {
        Map<String, Object> object = object("nothing", null);
        assertThat(usage.present(object, "nothing")).isFalse();
        assertThat(usage.present(object("zero", 0), "zero")).isTrue();
        assertThat(usage.optionalCount(object, "usage", "nothing")).isEmpty();
        assertThat(usage.optionalCount(object, "usage", "absent")).isEmpty();
        assertThat(usage.optionalNumber(object, "usage", "absent")).isEmpty();
        assertThat(usage.optionalObject(object, "usage", "nothing")).isEmpty();
        assertRefused(() -> usage.requiredCount(object, "usage", "nothing"), "usage.nothing", "usage.nothing is required");
        assertRefused(() -> usage.requiredCount(object, "usage", "absent"), "usage.absent", "usage.absent is required");
        assertRefused(() -> usage.requiredNumber(object, "usage.details", "seconds"), "usage.details.seconds",
                "usage.details.seconds is required");
    }

    @Test
    void refusesWrongTypesNamingTheValue() {
        Map<String, Object> object = object("quoted", "12", "flag", true, "list", List.of(1), "nested", object("a", 1));
        assertRefused(() -> usage.requiredCount(object, "usage", "quoted"), "usage.quoted",
                "usage.quoted must be a number, got the string \"12\"");
        assertRefused(() -> usage.optionalCount(object, "usage", "flag"), "usage.flag", "usage.flag must be a number, got boolean true");
        assertRefused(() -> usage.requiredNumber(object, "usage", "list"), "usage.list", "usage.list must be a number, got");
        assertRefused(() -> usage.requiredCount(object, "usage", "nested"), "usage.nested", "usage.nested must be a number, got");
        assertRefused(() -> usage.optionalObject(object, "usage", "quoted"), "usage.quoted", "usage.quoted must be an object");
    }

    @Test
    void refusesNegativesFractionsAndNonFiniteNumbers() {
        Map<String, Object> object = object("negative", -1, "negative_fraction", -1.5, "fraction", new BigDecimal("2.5"),
                "tiny", 1e-12, "nan", Double.NaN, "infinite", Double.POSITIVE_INFINITY);
        assertRefused(() -> usage.requiredCount(object, "usage", "negative"), "usage.negative", "usage.negative must not be negative, got -1");
        assertRefused(() -> usage.requiredCount(object, "usage", "negative_fraction"), "usage.negative_fraction",
                "usage.negative_fraction must not be negative, got -1.5");
        assertRefused(() -> usage.requiredNumber(object, "usage", "negative"), "usage.negative", "usage.negative must not be negative, got -1");
        assertRefused(() -> usage.requiredCount(object, "usage", "fraction"), "usage.fraction",
                "usage.fraction must be a whole number, got 2.5");
        assertRefused(() -> usage.optionalCount(object, "usage", "tiny"), "usage.tiny",
                "usage.tiny must be a whole number, got 0.000000000001");
        assertRefused(() -> usage.requiredNumber(object, "usage", "nan"), "usage.nan", "usage.nan must be a finite number, got NaN");
        assertRefused(() -> usage.requiredCount(object, "usage", "infinite"), "usage.infinite",
                "usage.infinite must be a finite number, got Infinity");
    }

    @Test
    void readsNestedObjectsUnderTheirPath() throws Refused {
        Map<String, Object> object = object("details", object("cached_tokens", 2.5));
        Optional<Map<String, Object>> details = usage.optionalObject(object, "usage", "details");
        assertThat(details).isPresent();
        assertRefused(() -> usage.optionalCount(details.get(), "usage.details", "cached_tokens"), "usage.details.cached_tokens",
                "usage.details.cached_tokens must be a whole number, got 2.5");
        Refused own = usage.invalid("usage.total_tokens", "usage.total_tokens does not add up");
        assertThat(own.field).isEqualTo("usage.total_tokens");
        assertThat(own).hasMessage("usage.total_tokens does not add up");
    }

    @Test
    void needsARefusal() {
        assertThatThrownBy(() -> new NativeUsage<Refused>(null)).isInstanceOf(NullPointerException.class);
    }

    private interface Reading {
        Object read() throws Refused;
    }

    private static void assertRefused(Reading reading, String field, String messageStart) {
        assertThatThrownBy(reading::read).isInstanceOfSatisfying(Refused.class, refused -> {
            assertThat(refused.field).isEqualTo(field);
            assertThat(refused.getMessage()).startsWith(messageStart);
        });
    }
}
