package io.meterline.platform.usage;

import io.meterline.platform.common.ControlCharacters;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the fields of every event of a batch (the wire format of {@code POST /v1/usage} and
 * {@code usageRecord}) and collects every problem, so a client fixes a batch in one round trip.
 */
@Singleton
class UsageEventParser {

    static final String STATUS_OK = "ok";
    static final String REQUESTS_METER = "requests";
    /** The largest quantity one event may report: far above any real call, far below the aggregates' 29 integer digits. */
    static final BigDecimal MAX_QUANTITY = new BigDecimal("1000000000000000");
    private static final int MAX_SCALE = 9;
    private static final int MAX_TEXT = 128;
    private static final int MAX_TAGS_JSON = 4096;
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Pattern EVENT_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");
    /** What authorization issues fits its column (40 characters); anything else cannot name a reservation. */
    private static final Pattern RESERVATION_ID = Pattern.compile("[\\x21-\\x7E]{1,40}");
    private static final Set<String> FIELDS = Set.of("id", "timestamp", "provider", "model", "meters", "usage", "dimensions", "status", "duration_ms",
            "reservation_id");

    private final Clock clock;
    private final int maxBatchSize;
    private final Duration maxFutureSkew;

    UsageEventParser(Clock clock, UsageConfiguration configuration) {
        this.clock = clock;
        this.maxBatchSize = configuration.maxBatchSize();
        this.maxFutureSkew = configuration.maxFutureSkew();
    }

    int maxBatchSize() {
        return maxBatchSize;
    }

    /** Parses a request body: {@code {"events": [...]}}. */
    List<UsageEventDraft> parseBody(Object body) {
        if (!(body instanceof Map<?, ?> map) || !(map.get("events") instanceof List<?> events)) {
            throw reject(null, "events", UsageErrorCode.INVALID_BODY, "The body must be a JSON object with an \"events\" array");
        }
        if (map.size() > 1) {
            throw reject(null, "events", UsageErrorCode.UNKNOWN_FIELD, "The body holds only \"events\"");
        }
        return parse(events);
    }

    /** Parses the events of a batch, or throws with every problem found. */
    List<UsageEventDraft> parse(List<?> events) {
        if (events.isEmpty()) {
            throw reject(null, "events", UsageErrorCode.EMPTY_BATCH, "A batch needs at least one event");
        }
        if (events.size() > maxBatchSize) {
            throw reject(null, "events", UsageErrorCode.BATCH_TOO_LARGE, "A batch holds at most " + maxBatchSize + " events; got " + events.size());
        }
        Instant latest = clock.instant().plus(maxFutureSkew);
        List<UsageError> errors = new ArrayList<>();
        List<UsageEventDraft> drafts = new ArrayList<>(events.size());
        for (int index = 0; index < events.size(); index++) {
            if (!(events.get(index) instanceof Map<?, ?> raw)) {
                errors.add(new UsageError(index, "", UsageErrorCode.INVALID_EVENT, "Each event must be a JSON object"));
                continue;
            }
            UsageEventDraft draft = parseEvent(index, raw, latest, errors);
            if (draft != null) {
                drafts.add(draft);
            }
        }
        if (!errors.isEmpty()) {
            throw new UsageBatchRejectedException(errors);
        }
        return drafts;
    }

    private UsageEventDraft parseEvent(int index, Map<?, ?> raw, Instant latest, List<UsageError> errors) {
        int before = errors.size();
        for (Object key : raw.keySet()) {
            if (!FIELDS.contains(String.valueOf(key))) {
                errors.add(new UsageError(index, String.valueOf(key), UsageErrorCode.UNKNOWN_FIELD, "Unknown field " + key + "; known: " + FIELDS));
            }
        }
        String eventId = text(index, raw, "id", true, errors);
        if (eventId != null && !EVENT_ID.matcher(eventId).matches()) {
            errors.add(new UsageError(index, "id", UsageErrorCode.INVALID_ID, "id must be 1 to 128 printable ASCII characters without spaces"));
        }
        Instant timestamp = timestamp(index, raw.get("timestamp"), latest, errors);
        String provider = text(index, raw, "provider", true, errors);
        String model = text(index, raw, "model", true, errors);
        Map<String, BigDecimal> meters = new LinkedHashMap<>();
        int requests = 1;
        Object rawMeters = raw.get("meters");
        if (rawMeters != null && !(rawMeters instanceof Map)) {
            errors.add(new UsageError(index, "meters", UsageErrorCode.INVALID_METERS, "meters must be an object of meter names to numbers"));
        }
        else if (rawMeters != null) {
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) rawMeters).entrySet()) {
                String field = "meters." + entry.getKey();
                BigDecimal quantity = quantity(index, field, entry.getValue(), errors);
                if (quantity == null) {
                    continue;
                }
                if (REQUESTS_METER.equals(entry.getKey())) {
                    if (quantity.stripTrailingZeros().scale() > 0 || quantity.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
                        errors.add(new UsageError(index, field, UsageErrorCode.NOT_INTEGRAL, "requests must be a whole number up to 1,000,000"));
                    }
                    else {
                        requests = quantity.intValueExact();
                    }
                }
                else {
                    meters.put(String.valueOf(entry.getKey()), quantity);
                }
            }
        }
        Object usage = raw.get("usage");
        Map<String, Object> nativeUsage = new HashMap<>();
        if (usage instanceof Map<?, ?> usageMap) {
            usageMap.forEach((key, value) -> nativeUsage.put(String.valueOf(key), normalizeNumbers(value)));
        }
        else if (usage != null) {
            errors.add(new UsageError(index, "usage", UsageErrorCode.INVALID_USAGE, "usage must be the provider's usage object"));
        }
        Dimensions dimensions = dimensions(index, raw.get("dimensions"), errors);
        String status = raw.get("status") == null ? STATUS_OK : text(index, raw, "status", true, errors);
        Long durationMs = null;
        if (raw.get("duration_ms") != null) {
            BigDecimal duration = quantity(index, "duration_ms", raw.get("duration_ms"), errors);
            if (duration != null && duration.stripTrailingZeros().scale() > 0) {
                errors.add(new UsageError(index, "duration_ms", UsageErrorCode.NOT_INTEGRAL, "duration_ms must be a whole number"));
            }
            else if (duration != null) {
                durationMs = duration.longValueExact();
            }
        }
        String reservationId = text(index, raw, "reservation_id", false, errors);
        // A well-formed id that names no live hold of this organization (settled, expired, another
        // organization's, made up) is recorded and settles nothing: the call happened and is metered,
        // and the lookup is scoped to the organization, so another organization's hold is never touched.
        if (reservationId != null && !RESERVATION_ID.matcher(reservationId).matches()) {
            errors.add(new UsageError(index, "reservation_id", UsageErrorCode.INVALID_RESERVATION_ID,
                    "reservation_id is the id usageAuthorize or POST /v1/authorize returned: 1 to 40 printable ASCII characters"));
        }
        if (errors.size() > before) {
            return null;
        }
        return new UsageEventDraft(index, eventId, timestamp, provider, model, meters, nativeUsage, dimensions, status, durationMs, requests, reservationId);
    }

    private static String text(int index, Map<?, ?> raw, String field, boolean required, List<UsageError> errors) {
        return text(index, raw.get(field), field, required, errors);
    }

    private static String text(int index, Object value, String field, boolean required, List<UsageError> errors) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            if (required) {
                errors.add(new UsageError(index, field, UsageErrorCode.MISSING, field + " is required"));
            }
            return null;
        }
        if (!(value instanceof String s)) {
            errors.add(new UsageError(index, field, UsageErrorCode.INVALID_TYPE, field + " must be a string"));
            return null;
        }
        if (ControlCharacters.presentIn(s)) {
            errors.add(new UsageError(index, field, UsageErrorCode.INVALID_CHARACTERS,
                    field + " holds a control character (such as NUL, a tab, a line break or DEL)"));
            return null;
        }
        if (s.length() > MAX_TEXT) {
            errors.add(new UsageError(index, field, UsageErrorCode.TOO_LONG, field + " is longer than " + MAX_TEXT + " characters"));
            return null;
        }
        return s;
    }

    private static Instant timestamp(int index, Object value, Instant latest, List<UsageError> errors) {
        Instant instant;
        if (value instanceof OffsetDateTime dateTime) {
            instant = dateTime.toInstant();
        }
        else if (value instanceof String text && !text.isBlank()) {
            try {
                instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            }
            catch (DateTimeParseException e) {
                errors.add(new UsageError(index, "timestamp", UsageErrorCode.INVALID_TIMESTAMP, "timestamp must be RFC 3339 with an offset, such as 2026-11-25T14:30:00Z"));
                return null;
            }
        }
        else {
            errors.add(new UsageError(index, "timestamp", value == null ? UsageErrorCode.MISSING : UsageErrorCode.INVALID_TIMESTAMP, "timestamp is required, RFC 3339 with an offset"));
            return null;
        }
        if (instant.isAfter(latest)) {
            errors.add(new UsageError(index, "timestamp", UsageErrorCode.TIMESTAMP_IN_FUTURE, "timestamp is further in the future than the server allows"));
            return null;
        }
        if (instant.isBefore(EARLIEST)) {
            errors.add(new UsageError(index, "timestamp", UsageErrorCode.TIMESTAMP_TOO_OLD, "timestamp is before 2000-01-01"));
            return null;
        }
        return instant;
    }

    private static BigDecimal quantity(int index, String field, Object value, List<UsageError> errors) {
        BigDecimal quantity = toDecimal(value);
        if (quantity == null) {
            errors.add(new UsageError(index, field, UsageErrorCode.NOT_A_NUMBER, field + " must be a number"));
            return null;
        }
        if (quantity.signum() < 0) {
            errors.add(new UsageError(index, field, UsageErrorCode.NEGATIVE_QUANTITY, field + " must not be negative"));
            return null;
        }
        if (quantity.compareTo(MAX_QUANTITY) > 0) {
            errors.add(new UsageError(index, field, UsageErrorCode.OVERFLOW, field + " is larger than " + MAX_QUANTITY.toPlainString()));
            return null;
        }
        if (quantity.stripTrailingZeros().scale() > MAX_SCALE) {
            errors.add(new UsageError(index, field, UsageErrorCode.TOO_PRECISE, field + " has more than " + MAX_SCALE + " decimals"));
            return null;
        }
        return quantity.signum() == 0 ? BigDecimal.ZERO : quantity.stripTrailingZeros().max(BigDecimal.ZERO);
    }

    /** An exact decimal from a JSON number, or null for anything else (strings, NaN, infinities). */
    static BigDecimal toDecimal(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            return Double.isFinite(number) ? new BigDecimal(value.toString()) : null;
        }
        if (value instanceof Number number) {
            return new BigDecimal(number.toString());
        }
        return null;
    }

    private static Object normalizeNumbers(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, inner) -> copy.put(String.valueOf(key), normalizeNumbers(inner)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(UsageEventParser::normalizeNumbers).toList();
        }
        BigDecimal decimal = value instanceof Number ? toDecimal(value) : null;
        return decimal != null ? decimal : value;
    }

    private static Dimensions dimensions(int index, Object value, List<UsageError> errors) {
        if (value == null) {
            return Dimensions.of(Map.of(), null);
        }
        if (!(value instanceof Map<?, ?> raw)) {
            errors.add(new UsageError(index, "dimensions", UsageErrorCode.INVALID_DIMENSIONS, "dimensions must be an object"));
            return null;
        }
        Map<String, String> values = new HashMap<>();
        String tags = null;
        for (Map.Entry<?, ?> entry : raw.entrySet()) {
            String key = String.valueOf(entry.getKey());
            String field = "dimensions." + key;
            if ("tags".equals(key)) {
                if (entry.getValue() != null && !(entry.getValue() instanceof Map)) {
                    errors.add(new UsageError(index, field, UsageErrorCode.INVALID_TAGS, "tags must be an object"));
                }
                else if (entry.getValue() != null) {
                    tags = CanonicalJson.write(normalizeNumbers(entry.getValue()));
                    if (tags.length() > MAX_TAGS_JSON) {
                        errors.add(new UsageError(index, field, UsageErrorCode.TOO_LONG, "tags are larger than " + MAX_TAGS_JSON + " characters of JSON"));
                    }
                }
            }
            else if (!Dimensions.NAMES.contains(key)) {
                errors.add(new UsageError(index, field, UsageErrorCode.UNKNOWN_DIMENSION, "Unknown dimension " + key + "; known: " + Dimensions.NAMES + " and tags"));
            }
            else if (entry.getValue() != null) {
                String text = text(index, entry.getValue(), field, false, errors);
                if (text != null) {
                    values.put(key, text);
                }
            }
        }
        return Dimensions.of(values, tags);
    }

    private static UsageBatchRejectedException reject(Integer index, String field, UsageErrorCode code, String message) {
        return new UsageBatchRejectedException(List.of(new UsageError(index, field, code, message)));
    }
}
