package io.meterline.platform.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wire format of a usage batch, checked without a server: every field, the limits, and every problem at once. */
class UsageEventParserTest {

    static final Instant NOW = Instant.parse("2026-11-10T12:00:00Z");

    final UsageEventParser parser = new UsageEventParser(Clock.fixed(NOW, ZoneOffset.UTC), new UsageConfiguration(3, Duration.ofMinutes(5)));

    /** A valid event; {@code changes} replace (or, with a null value, remove) its fields. */
    static Map<String, Object> event(Object... changes) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "evt-1");
        event.put("timestamp", "2026-11-10T11:59:00Z");
        event.put("provider", "openai");
        event.put("model", "gpt-4o");
        event.put("meters", Map.of("input_tokens", 1200));
        for (int i = 0; i < changes.length; i += 2) {
            if (changes[i + 1] == null) {
                event.remove((String) changes[i]);
            }
            else {
                event.put((String) changes[i], changes[i + 1]);
            }
        }
        return event;
    }

    List<UsageError> errors(List<?> events) {
        UsageBatchRejectedException rejected = catchThrowableOfType(() -> parser.parse(events), UsageBatchRejectedException.class);
        assertThat(rejected).as("the batch is rejected").isNotNull();
        return rejected.errors();
    }

    /** The one error a single-event batch gets, as "field code". */
    String error(Map<String, Object> event) {
        List<UsageError> errors = errors(List.of(event));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).index()).isZero();
        return errors.get(0).field() + " " + errors.get(0).code();
    }

    @Test
    void aValidEventBecomesADraftWithExactQuantities() {
        Map<String, Object> dimensions = new LinkedHashMap<>();
        dimensions.put("team", "support");
        dimensions.put("member", null);
        dimensions.put("tags", Map.of("b", 2.50, "a", "x"));
        UsageEventDraft draft = parser.parse(List.of(event(
                "timestamp", "2026-11-10T17:29:00+05:30",
                "meters", Map.of("input_tokens", new BigDecimal("1200.000"), "cached_tokens", 0, "seconds", 0.1, "requests", 3),
                "usage", Map.of("prompt_tokens", 12.0),
                "dimensions", dimensions,
                "duration_ms", 250L,
                "reservation_id", "rsv_abc"))).get(0);
        assertThat(draft.index()).isZero();
        assertThat(draft.eventId()).isEqualTo("evt-1");
        assertThat(draft.timestamp()).isEqualTo(Instant.parse("2026-11-10T11:59:00Z"));
        assertThat(draft.provider()).isEqualTo("openai");
        assertThat(draft.model()).isEqualTo("gpt-4o");
        assertThat(draft.meters()).isEqualTo(Map.of("input_tokens", new BigDecimal("1.2E+3"), "cached_tokens", BigDecimal.ZERO, "seconds", new BigDecimal("0.1")));
        assertThat(draft.meters().get("input_tokens").toPlainString()).isEqualTo("1200");
        assertThat(draft.requests()).as("requests is a count, not a meter").isEqualTo(3);
        assertThat(draft.nativeUsage()).isEqualTo(Map.of("prompt_tokens", new BigDecimal("12.0")));
        assertThat(draft.dimensions().team()).isEqualTo("support");
        assertThat(draft.dimensions().member()).isNull();
        assertThat(draft.dimensions().tagsJson()).isEqualTo("{\"a\":\"x\",\"b\":2.5}");
        assertThat(draft.status()).isEqualTo(UsageEventParser.STATUS_OK);
        assertThat(draft.durationMs()).isEqualTo(250L);
        assertThat(draft.reservationId()).isEqualTo("rsv_abc");
    }

    @Test
    void defaultsAndParsedTimestamps() {
        UsageEventDraft draft = parser.parse(List.of(event("meters", null, "timestamp", OffsetDateTime.parse("2026-11-10T06:00:00-05:00")))).get(0);
        assertThat(draft.meters()).isEmpty();
        assertThat(draft.requests()).isEqualTo(1);
        assertThat(draft.timestamp()).isEqualTo(Instant.parse("2026-11-10T11:00:00Z"));
        assertThat(draft.durationMs()).isNull();
        assertThat(draft.reservationId()).isNull();
        assertThat(draft.dimensions().tagsJson()).isNull();
    }

    @Test
    void eachRequiredTextFieldIsCheckedForPresenceTypeCharactersAndLength() {
        assertThat(error(event("id", null))).isEqualTo("id MISSING");
        assertThat(error(event("provider", " "))).isEqualTo("provider MISSING");
        assertThat(error(event("model", 4))).isEqualTo("model INVALID_TYPE");
        assertThat(error(event("model", "gpt\u00004o"))).isEqualTo("model INVALID_CHARACTERS");
        assertThat(error(event("status", "ok\u007f"))).isEqualTo("status INVALID_CHARACTERS");
        assertThat(error(event("model", "m".repeat(129)))).isEqualTo("model TOO_LONG");
        assertThat(parser.parse(List.of(event("model", "m".repeat(128)))).get(0).model()).hasSize(128);
        assertThat(error(event("id", "has space"))).isEqualTo("id INVALID_ID");
        assertThat(error(event("id", "é"))).isEqualTo("id INVALID_ID");
        assertThat(error(event("id", "x".repeat(129)))).isEqualTo("id TOO_LONG");
        assertThat(error(event("reservation_id", "r".repeat(41)))).isEqualTo("reservation_id INVALID_RESERVATION_ID");
        assertThat(error(event("unexpected", 1))).isEqualTo("unexpected UNKNOWN_FIELD");
    }

    @Test
    void timestampsNeedAnOffsetAndAPlausibleTime() {
        assertThat(error(event("timestamp", null))).isEqualTo("timestamp MISSING");
        assertThat(error(event("timestamp", "2026-11-10T11:00:00"))).isEqualTo("timestamp INVALID_TIMESTAMP");
        assertThat(error(event("timestamp", "yesterday"))).isEqualTo("timestamp INVALID_TIMESTAMP");
        assertThat(error(event("timestamp", 1762776000L))).isEqualTo("timestamp INVALID_TIMESTAMP");
        assertThat(parser.parse(List.of(event("timestamp", "2026-11-10T12:05:00Z"))).get(0).timestamp()).as("exactly the allowed skew")
                .isEqualTo(Instant.parse("2026-11-10T12:05:00Z"));
        assertThat(error(event("timestamp", "2026-11-10T12:05:00.001Z"))).isEqualTo("timestamp TIMESTAMP_IN_FUTURE");
        assertThat(parser.parse(List.of(event("timestamp", "2000-01-01T00:00:00Z"))).get(0).timestamp()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(error(event("timestamp", "1999-12-31T23:59:59Z"))).isEqualTo("timestamp TIMESTAMP_TOO_OLD");
    }

    @Test
    void quantitiesAreNumbersNeverStringsWithinTheLimits() {
        assertThat(error(event("meters", Map.of("input_tokens", "1200")))).as("a number as a string").isEqualTo("meters.input_tokens NOT_A_NUMBER");
        assertThat(error(event("meters", Map.of("input_tokens", true)))).isEqualTo("meters.input_tokens NOT_A_NUMBER");
        assertThat(error(event("meters", Map.of("input_tokens", Double.NaN)))).isEqualTo("meters.input_tokens NOT_A_NUMBER");
        assertThat(error(event("meters", Map.of("input_tokens", Double.POSITIVE_INFINITY)))).isEqualTo("meters.input_tokens NOT_A_NUMBER");
        assertThat(error(event("meters", Map.of("input_tokens", -1)))).isEqualTo("meters.input_tokens NEGATIVE_QUANTITY");
        assertThat(error(event("meters", Map.of("input_tokens", new BigDecimal("0.0000000001"))))).isEqualTo("meters.input_tokens TOO_PRECISE");
        assertThat(parser.parse(List.of(event("meters", Map.of("input_tokens", new BigDecimal("0.123456789000"))))).get(0).meters().get("input_tokens"))
                .as("trailing zeros do not count as decimals").isEqualTo(new BigDecimal("0.123456789"));
        assertThat(error(event("meters", List.of(1)))).isEqualTo("meters INVALID_METERS");
        assertThat(error(event("usage", "12 tokens"))).isEqualTo("usage INVALID_USAGE");
        assertThat(error(event("duration_ms", 1.5))).isEqualTo("duration_ms NOT_INTEGRAL");
        assertThat(error(event("duration_ms", "250"))).isEqualTo("duration_ms NOT_A_NUMBER");
    }

    @Test
    void overflowIsRefusedAtTheLargestQuantityPlusOne() {
        assertThat(parser.parse(List.of(event("meters", Map.of("input_tokens", UsageEventParser.MAX_QUANTITY)))).get(0).meters().get("input_tokens"))
                .isEqualByComparingTo("1000000000000000");
        assertThat(error(event("meters", Map.of("input_tokens", UsageEventParser.MAX_QUANTITY.add(BigDecimal.ONE))))).isEqualTo("meters.input_tokens OVERFLOW");
        assertThat(error(event("meters", Map.of("input_tokens", Long.MAX_VALUE)))).isEqualTo("meters.input_tokens OVERFLOW");
        assertThat(error(event("meters", Map.of("input_tokens", 1e300)))).isEqualTo("meters.input_tokens OVERFLOW");
        assertThat(error(event("meters", Map.of("input_tokens", new BigDecimal("1E+400"))))).isEqualTo("meters.input_tokens OVERFLOW");
        assertThat(error(event("meters", Map.of("requests", 1_000_001)))).isEqualTo("meters.requests NOT_INTEGRAL");
        assertThat(error(event("meters", Map.of("requests", 1.5)))).isEqualTo("meters.requests NOT_INTEGRAL");
        assertThat(parser.parse(List.of(event("meters", Map.of("requests", new BigDecimal("1000000.0"))))).get(0).requests()).isEqualTo(1_000_000);
    }

    @Test
    void dimensionsAreKnownNamesOfTextAndTagsAnObjectOfBoundedSize() {
        assertThat(error(event("dimensions", "support"))).isEqualTo("dimensions INVALID_DIMENSIONS");
        assertThat(error(event("dimensions", Map.of("colour", "red")))).isEqualTo("dimensions.colour UNKNOWN_DIMENSION");
        assertThat(error(event("dimensions", Map.of("team", 7)))).isEqualTo("dimensions.team INVALID_TYPE");
        assertThat(error(event("dimensions", Map.of("team", "a\tb")))).isEqualTo("dimensions.team INVALID_CHARACTERS");
        assertThat(error(event("dimensions", Map.of("tags", List.of("a"))))).isEqualTo("dimensions.tags INVALID_TAGS");
        // {"k":"…"} is 8 characters around the value: 4,088 fit in 4,096, one more does not.
        assertThat(parser.parse(List.of(event("dimensions", Map.of("tags", Map.of("k", "v".repeat(4088))))))).hasSize(1);
        assertThat(error(event("dimensions", Map.of("tags", Map.of("k", "v".repeat(4089)))))).isEqualTo("dimensions.tags TOO_LONG");
    }

    @Test
    void everyProblemOfEveryEventIsReportedAtOnceWithItsIndex() {
        List<Object> events = new ArrayList<>();
        events.add(event());
        events.add(event("id", null, "meters", Map.of("input_tokens", -5)));
        events.add("not an event");
        List<UsageError> errors = errors(events);
        assertThat(errors).extracting(e -> e.index() + " " + e.field() + " " + e.code())
                .containsExactly("1 id MISSING", "1 meters.input_tokens NEGATIVE_QUANTITY", "2  INVALID_EVENT");
    }

    @Test
    void theBatchItselfIsBounded() {
        assertThat(errors(List.of())).extracting(UsageError::code).containsExactly(UsageErrorCode.EMPTY_BATCH);
        assertThat(parser.parse(List.of(event("id", "a"), event("id", "b"), event("id", "c")))).hasSize(3);
        List<UsageError> tooMany = errors(List.of(event("id", "a"), event("id", "b"), event("id", "c"), event("id", "d")));
        assertThat(tooMany).extracting(UsageError::code).containsExactly(UsageErrorCode.BATCH_TOO_LARGE);
        assertThat(tooMany.get(0).index()).isNull();
        assertThat(tooMany.get(0).message()).contains("at most 3 events; got 4");
    }

    @Test
    void theBodyIsAnObjectHoldingOnlyEvents() {
        assertThat(parser.parseBody(Map.of("events", List.of(event())))).hasSize(1);
        assertThat(catchThrowableOfType(() -> parser.parseBody(List.of(event())), UsageBatchRejectedException.class).errors())
                .extracting(UsageError::code).containsExactly(UsageErrorCode.INVALID_BODY);
        assertThat(catchThrowableOfType(() -> parser.parseBody(Map.of("events", "x")), UsageBatchRejectedException.class).errors())
                .extracting(UsageError::code).containsExactly(UsageErrorCode.INVALID_BODY);
        Map<String, Object> extra = new HashMap<>(Map.of("events", List.of(event()), "batch", "1"));
        assertThat(catchThrowableOfType(() -> parser.parseBody(extra), UsageBatchRejectedException.class).errors())
                .extracting(e -> e.field() + " " + e.code()).containsExactly("events UNKNOWN_FIELD");
    }

    @Test
    void decimalsComeFromTheNumbersTextNotTheirBinaryValue() {
        assertThat(UsageEventParser.toDecimal(0.1)).isEqualTo(new BigDecimal("0.1"));
        assertThat(UsageEventParser.toDecimal(0.1f)).isEqualTo(new BigDecimal("0.1"));
        assertThat(UsageEventParser.toDecimal(7)).isEqualTo(new BigDecimal("7"));
        assertThat(UsageEventParser.toDecimal(new java.math.BigInteger("123456789012345678901234567890"))).isEqualTo(new BigDecimal("123456789012345678901234567890"));
        assertThat(UsageEventParser.toDecimal("7")).isNull();
        assertThat(UsageEventParser.toDecimal(Double.NaN)).isNull();
    }
}
