package io.meterline.platform.bench;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * The benchmark's events, generated once and deterministically from a seed before anything is
 * timed: the {@code POST /v1/usage} bodies for the API run and the same events as rows for the raw
 * JDBC run. The mix looks like a busy gateway: OpenAI and Anthropic chat calls (reported both as
 * canonical meters and as the providers' own usage objects), ElevenLabs speech, Smartflo calls,
 * images and a flat-token model, with the usual dimensions and a few failed calls.
 */
final class EventCorpus {

    /** How event times are laid out over the last 30 days. */
    enum Timestamps {
        /** In time order, as a live gateway reports them: one batch covers a short stretch of time. */
        ORDERED,
        /** Uniformly at random: every batch touches events all over the 30 days (worst case for the aggregates). */
        RANDOM
    }

    /** One kind of event: a provider, a model and how its usage is reported. */
    enum Kind {
        OPENAI_GPT_4O_METERS("openai", "gpt-4o", 20),
        OPENAI_GPT_4O_USAGE("openai", "gpt-4o", 12),
        OPENAI_GPT_4O_MINI_USAGE("openai", "gpt-4o-mini", 12),
        ANTHROPIC_SONNET_USAGE("anthropic", "claude-sonnet-4", 12),
        ANTHROPIC_HAIKU_METERS("anthropic", "claude-3-5-haiku", 6),
        ELEVENLABS_METERS("elevenlabs", "eleven_turbo_v2_5", 5),
        ELEVENLABS_USAGE("elevenlabs", "eleven_multilingual_v2", 5),
        SMARTFLO_USAGE("smartflo", "voice", 10),
        IMAGES_METERS("images", "dall-e-3", 6),
        FLAT_TOKEN_USAGE("flat-token", "llama-3.1-70b-instruct", 12);

        final String provider;
        final String model;
        final int weight;

        Kind(String provider, String model, int weight) {
            this.provider = provider;
            this.model = model;
            this.weight = weight;
        }

        /** The price book key the server stores lines under. */
        String providerModel() {
            return provider + "/" + model;
        }
    }

    /** One event as the raw table stores it; the API run sends the same fields as JSON. */
    record Event(String eventId, String contentHash, LocalDateTime occurredAt, Kind kind, String status, Long durationMs,
                 String[] dimensions, String tagsJson) {
    }

    /** The dimension columns, in the order of usage_event's columns account_id .. mode. */
    private static final String[] DIMENSION_NAMES = {"account_id", "member", "team", "project", "department", "feature", "tool",
        "integration", "session", "mode"};
    private static final String[] TEAMS = {"support", "sales", "growth", "platform", "research", "voice-ops", "marketing", "finance"};
    private static final String[] DEPARTMENTS = {"customer-success", "revenue", "engineering", "operations"};
    private static final String[] FEATURES = {"chat", "summarize", "classify", "extract", "translate", "tts", "call", "image-gen", "search"};
    private static final String[] TOOLS = {"langchain", "llamaindex", "direct", "litellm", "n8n"};
    private static final String[] INTEGRATIONS = {"zendesk", "salesforce", "slack", "whatsapp", "web", "ivr"};
    private static final String[] MODES = {"live", "batch", "test"};
    private static final String[] REGIONS = {"eu-west-1", "us-east-1", "ap-south-1"};
    private static final char[] ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final List<Event> events;
    private final List<byte[]> bodies;
    private final int batchSize;
    private final long bodyBytes;

    private EventCorpus(List<Event> events, List<byte[]> bodies, int batchSize, long bodyBytes) {
        this.events = events;
        this.bodies = bodies;
        this.batchSize = batchSize;
        this.bodyBytes = bodyBytes;
    }

    /**
     * Generates {@code total} events in batches of {@code batchSize}, with times in the 30 days
     * before {@code now} (and at least a minute before it, so no clock skew makes one "future").
     */
    static EventCorpus generate(int total, int batchSize, Timestamps timestamps, long seed, Instant now) {
        return generate(total, batchSize, timestamps, seed, now, false);
    }

    /**
     * As above; {@code hot}: every event is OpenAI {@code gpt-4o} (one kind, one model) and falls on
     * today (UTC, the benchmark organization's zone), in time order from midnight to a minute before
     * {@code now}: every batch hits the same budget periods and the same aggregate rows (worst case for contention).
     */
    static EventCorpus generate(int total, int batchSize, Timestamps timestamps, long seed, Instant now, boolean hot) {
        Random random = new Random(seed);
        MessageDigest sha256 = sha256();
        HexFormat hex = HexFormat.of();
        Instant start = hot ? now.truncatedTo(ChronoUnit.DAYS) : now.minus(Duration.ofDays(30));
        long spanMillis = hot ? Math.max(1, Duration.between(start, now).minusMinutes(1).toMillis()) : Duration.ofDays(30).minusMinutes(1).toMillis();
        double step = (double) spanMillis / Math.max(1, total);
        int totalWeight = 0;
        for (Kind kind : Kind.values()) {
            totalWeight += kind.weight;
        }
        List<Event> events = new ArrayList<>(total);
        List<byte[]> bodies = new ArrayList<>(total / batchSize + 1);
        StringBuilder body = new StringBuilder(batchSize * 700);
        long bodyBytes = 0;
        for (int index = 0; index < total; index++) {
            if (index % batchSize == 0) {
                body.setLength(0);
                body.append("{\"events\":[");
            }
            else {
                body.append(',');
            }
            long offsetMillis = timestamps == Timestamps.ORDERED
                    ? (long) (index * step + random.nextDouble() * step)
                    : (long) (random.nextDouble() * spanMillis);
            Instant occurred = start.plusMillis(Math.min(offsetMillis, spanMillis)).truncatedTo(ChronoUnit.MILLIS);
            Kind kind = hot ? Kind.OPENAI_GPT_4O_METERS : pick(random, totalWeight);
            String eventId = eventId(random, kind);
            boolean failed = random.nextInt(100) < 2;
            String status = failed ? (random.nextBoolean() ? "error" : "timeout") : "ok";
            Long durationMs = kind == Kind.IMAGES_METERS ? null : 80L + random.nextInt(failed ? 30_000 : 6_000);
            String[] dimensions = dimensions(random, kind, index);
            String region = REGIONS[random.nextInt(REGIONS.length)];
            String tagsJson = "{\"env\":\"prod\",\"region\":\"" + region + "\",\"version\":\"2." + random.nextInt(4) + "\"}";
            String contentHash = hex.formatHex(sha256.digest(eventId.getBytes(StandardCharsets.UTF_8)));

            body.append("{\"id\":\"").append(eventId)
                    .append("\",\"timestamp\":\"").append(occurred)
                    .append("\",\"provider\":\"").append(kind.provider)
                    .append("\",\"model\":\"").append(kind.model).append("\",");
            appendUsage(body, random, kind, failed);
            body.append(",\"dimensions\":{");
            for (int column = 0; column < DIMENSION_NAMES.length; column++) {
                if (dimensions[column] != null) {
                    body.append('"').append(DIMENSION_NAMES[column]).append("\":\"").append(dimensions[column]).append("\",");
                }
            }
            body.append("\"tags\":").append(tagsJson).append('}');
            if (!"ok".equals(status) || random.nextInt(4) > 0) {
                // Most gateways send the status; a missing one means ok.
                body.append(",\"status\":\"").append(status).append('"');
            }
            if (durationMs != null) {
                body.append(",\"duration_ms\":").append(durationMs);
            }
            body.append('}');

            events.add(new Event(eventId, contentHash, LocalDateTime.ofInstant(occurred, ZoneOffset.UTC), kind, status, durationMs, dimensions, tagsJson));
            if (index % batchSize == batchSize - 1 || index == total - 1) {
                body.append("]}");
                byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
                bodyBytes += bytes.length;
                bodies.add(bytes);
            }
        }
        return new EventCorpus(List.copyOf(events), bodies, batchSize, bodyBytes);
    }

    int size() {
        return events.size();
    }

    int batchSize() {
        return batchSize;
    }

    int batchCount() {
        return bodies.size();
    }

    /** The JSON body of batch {@code batch}. */
    byte[] body(int batch) {
        return bodies.get(batch);
    }

    /** How many events batch {@code batch} holds. */
    int eventsIn(int batch) {
        return Math.min(batchSize, events.size() - batch * batchSize);
    }

    /** The events of batch {@code batch}. */
    List<Event> batch(int batch) {
        int from = batch * batchSize;
        return events.subList(from, from + eventsIn(batch));
    }

    long bodyBytes() {
        return bodyBytes;
    }

    private static Kind pick(Random random, int totalWeight) {
        int value = random.nextInt(totalWeight);
        for (Kind kind : Kind.values()) {
            value -= kind.weight;
            if (value < 0) {
                return kind;
            }
        }
        throw new IllegalStateException("weights");
    }

    private static String eventId(Random random, Kind kind) {
        switch (kind.provider) {
            case "openai":
                return "chatcmpl-" + alphanumeric(random, 29);
            case "anthropic":
                return "msg_01" + alphanumeric(random, 22);
            default:
                return new UUID(random.nextLong(), random.nextLong()).toString();
        }
    }

    private static String alphanumeric(Random random, int length) {
        char[] text = new char[length];
        for (int i = 0; i < length; i++) {
            text[i] = ALPHANUMERIC[random.nextInt(ALPHANUMERIC.length)];
        }
        return new String(text);
    }

    private static String[] dimensions(Random random, Kind kind, int index) {
        int account = random.nextInt(40);
        String[] values = new String[DIMENSION_NAMES.length];
        values[0] = "acct-" + String.format(Locale.ROOT, "%04d", account);
        values[1] = "user-" + String.format(Locale.ROOT, "%05d", account * 100 + random.nextInt(100));
        values[2] = TEAMS[random.nextInt(TEAMS.length)];
        values[3] = "project-" + (account % 12);
        values[4] = random.nextInt(3) == 0 ? null : DEPARTMENTS[random.nextInt(DEPARTMENTS.length)];
        values[5] = switch (kind) {
            case ELEVENLABS_METERS, ELEVENLABS_USAGE -> "tts";
            case SMARTFLO_USAGE -> "call";
            case IMAGES_METERS -> "image-gen";
            default -> FEATURES[random.nextInt(6)];
        };
        values[6] = TOOLS[random.nextInt(TOOLS.length)];
        values[7] = INTEGRATIONS[random.nextInt(INTEGRATIONS.length)];
        values[8] = random.nextInt(5) == 0 ? null : "sess-" + Integer.toHexString(index / 7 * 31 + account);
        values[9] = MODES[random.nextInt(10) < 8 ? 0 : 1 + random.nextInt(2)];
        return values;
    }

    private static void appendUsage(StringBuilder body, Random random, Kind kind, boolean failed) {
        int scale = failed ? 10 : 1;
        switch (kind) {
            case OPENAI_GPT_4O_METERS -> {
                int input = (200 + random.nextInt(6_000)) / scale;
                int cached = random.nextBoolean() ? random.nextInt(input + 1) / 128 * 128 : 0;
                body.append("\"meters\":{\"input_tokens\":").append(input)
                        .append(",\"cached_tokens\":").append(cached)
                        .append(",\"output_tokens\":").append(failed ? 0 : 20 + random.nextInt(1_500)).append('}');
            }
            case OPENAI_GPT_4O_USAGE, OPENAI_GPT_4O_MINI_USAGE -> {
                int prompt = (200 + random.nextInt(8_000)) / scale;
                int cached = random.nextBoolean() ? random.nextInt(prompt + 1) / 128 * 128 : 0;
                int completion = failed ? 0 : 20 + random.nextInt(1_500);
                int reasoning = random.nextInt(4) == 0 ? random.nextInt(completion + 1) : 0;
                body.append("\"usage\":{\"prompt_tokens\":").append(prompt)
                        .append(",\"completion_tokens\":").append(completion)
                        .append(",\"total_tokens\":").append(prompt + completion)
                        .append(",\"prompt_tokens_details\":{\"cached_tokens\":").append(cached)
                        .append("},\"completion_tokens_details\":{\"reasoning_tokens\":").append(reasoning).append("}}");
            }
            case ANTHROPIC_SONNET_USAGE -> {
                body.append("\"usage\":{\"input_tokens\":").append((50 + random.nextInt(4_000)) / scale)
                        .append(",\"output_tokens\":").append(failed ? 0 : 20 + random.nextInt(2_000))
                        .append(",\"cache_creation_input_tokens\":").append(random.nextInt(3) == 0 ? random.nextInt(3_000) : 0)
                        .append(",\"cache_read_input_tokens\":").append(random.nextBoolean() ? random.nextInt(12_000) : 0).append('}');
            }
            case ANTHROPIC_HAIKU_METERS -> {
                body.append("\"meters\":{\"input_tokens\":").append((50 + random.nextInt(3_000)) / scale)
                        .append(",\"output_tokens\":").append(failed ? 0 : 10 + random.nextInt(800))
                        .append(",\"cache_read_tokens\":").append(random.nextBoolean() ? random.nextInt(6_000) : 0).append('}');
            }
            case ELEVENLABS_METERS -> body.append("\"meters\":{\"characters\":").append((20 + random.nextInt(2_500)) / scale).append('}');
            case ELEVENLABS_USAGE -> body.append("\"usage\":{\"character_count\":").append((20 + random.nextInt(2_500)) / scale).append('}');
            case SMARTFLO_USAGE -> body.append("\"usage\":{\"duration_seconds\":").append(random.nextInt(failed ? 5 : 900))
                    .append('.').append(random.nextInt(10)).append('}');
            case IMAGES_METERS -> body.append("\"meters\":{\"images\":").append(failed ? 0 : 1 + random.nextInt(4)).append('}');
            case FLAT_TOKEN_USAGE -> body.append("\"usage\":{\"prompt_tokens\":").append((100 + random.nextInt(5_000)) / scale)
                    .append(",\"completion_tokens\":").append(failed ? 0 : 10 + random.nextInt(1_200)).append('}');
            default -> throw new IllegalStateException("Unhandled kind " + kind);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
