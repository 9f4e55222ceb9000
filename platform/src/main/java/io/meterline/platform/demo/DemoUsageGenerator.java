package io.meterline.platform.demo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Generates one organization's synthetic usage for the last 90 days in the wire format of
 * {@code POST /v1/usage}. The shape is what a real gateway reports: more calls on weekdays than at
 * weekends, a business-hours peak in the organization's own time zone, a gentle upward trend, about
 * 2% failed calls, and a mix of reported meters and the providers' native usage objects.
 *
 * <p>Everything comes from one {@link Random} with the organization's fixed seed, drawn in a fixed
 * order, so a fresh database seeded on the same day gets the same events with the same ids.
 */
final class DemoUsageGenerator {

    /** The days seeded, today included: exactly what the {@code LAST_90_DAYS} preset shows. */
    static final int DAYS = 90;
    /** A model without any rate, so the unpriced flow has something to show. */
    static final String UNPRICED_MODEL = "gpt-5-preview";

    private static final double TREND = 0.4;
    private static final double ERROR_SHARE = 0.02;
    private static final double STAGING_SHARE = 0.08;
    /** Share of token calls that send the provider's own usage object instead of meters. */
    private static final double NATIVE_USAGE_SHARE = 0.35;
    /** The unpriced model appears only in the last two weeks, as an early trial would. */
    private static final int UNPRICED_TRIAL_DAYS = 14;
    private static final double UNPRICED_SHARE_OF_OPENAI = 0.015;
    /** OpenAI caches prompts in steps of 128 tokens, from 1,024 tokens on. */
    private static final int OPENAI_CACHE_STEP = 128;
    private static final int OPENAI_CACHE_MINIMUM = 1024;
    private static final BigDecimal SECONDS_PER_MINUTE = BigDecimal.valueOf(60);

    private static final WeightedChoice<String> OPENAI_MODELS = WeightedChoice.<String>builder()
            .add("gpt-4o-mini", 40).add("gpt-4o", 28).add("generic", 12).add("gpt-3.5-turbo", 8).add("gpt-4-turbo", 8).add("gpt-4", 4).build();
    private static final WeightedChoice<String> ANTHROPIC_MODELS = WeightedChoice.<String>builder()
            .add("claude-3-5-sonnet", 34).add("claude-3-5-haiku", 28).add("claude-3-haiku", 14).add("claude-sonnet-4", 16).add("claude-3-opus", 8).build();
    private static final WeightedChoice<String> ELEVENLABS_MODELS = WeightedChoice.<String>builder()
            .add("eleven_multilingual_v2", 45).add("eleven_turbo_v2_5", 35).add("eleven_flash_v2_5", 20).build();
    private static final WeightedChoice<String> IMAGE_MODELS = WeightedChoice.<String>builder()
            .add("gpt-image-1", 45).add("vision", 30).add("dall-e-3", 25).build();
    /** The flat-token plugin prices any model alike; these stand for self-hosted open models. */
    private static final WeightedChoice<String> FLAT_TOKEN_MODELS = WeightedChoice.<String>builder()
            .add("llama-3.1-70b", 60).add("mistral-small", 40).build();
    private static final WeightedChoice<String> FEATURES = WeightedChoice.<String>builder()
            .add("chat", 45).add("agents", 20).add("web_search", 15).add("analysis", 20).build();
    private static final WeightedChoice<String> INTEGRATIONS = WeightedChoice.<String>builder()
            .add("none", 45).add("slack", 30).add("gmail", 25).build();
    private static final WeightedChoice<String> MODES = WeightedChoice.<String>builder()
            .add("fast", 45).add("balanced", 40).add("expert", 15).build();
    private static final WeightedChoice<String> TOKEN_ERRORS = WeightedChoice.<String>builder()
            .add("rate_limited", 60).add("timeout", 25).add("server_error", 15).build();
    private static final WeightedChoice<String> CALL_ERRORS = WeightedChoice.<String>builder()
            .add("no_answer", 70).add("busy", 30).build();
    private static final WeightedChoice<Integer> IMAGE_COUNTS = WeightedChoice.<Integer>builder()
            .add(1, 70).add(2, 18).add(4, 12).build();

    private final DemoOrganization organization;
    private final ZoneId zone;
    private final Random random;
    private final WeightedChoice<String> providers;
    private final WeightedChoice<String> accountIds;
    private final WeightedChoice<String> projects;

    DemoUsageGenerator(DemoOrganization organization) {
        this.organization = organization;
        this.zone = ZoneId.of(organization.timeZone());
        this.random = new Random(organization.seed());
        WeightedChoice.Builder<String> providerBuilder = WeightedChoice.builder();
        // Sorted, because Map.of iterates in an order that changes from one JVM run to the next.
        new TreeMap<>(organization.providerWeights()).forEach(providerBuilder::add);
        this.providers = providerBuilder.build();
        List<String> codes = new ArrayList<>();
        for (int number = 1; number <= 6; number++) {
            codes.add(String.format("%s-%02d", organization.accountIdPrefix(), number));
        }
        this.accountIds = WeightedChoice.uniform(codes);
        this.projects = WeightedChoice.uniform(organization.projects());
    }

    /**
     * One event and the key it is sent with.
     *
     * @param staging whether the staging gateway's key sent it rather than production's
     * @param payload the event in the wire format
     */
    record GeneratedEvent(boolean staging, Map<String, Object> payload) {
    }

    /** The events of the {@link #DAYS} local days ending today, oldest first, none later than {@code now}. */
    List<GeneratedEvent> generate(Instant now) {
        LocalDate today = LocalDate.ofInstant(now, zone);
        LocalDate first = today.minusDays(DAYS - 1);
        List<GeneratedEvent> events = new ArrayList<>();
        for (int dayIndex = 0; dayIndex < DAYS; dayIndex++) {
            LocalDate day = first.plusDays(dayIndex);
            double progress = dayIndex / (double) (DAYS - 1);
            List<ZonedDateTime> times = new ArrayList<>();
            int count = dailyCount(day, progress);
            for (int index = 0; index < count; index++) {
                times.add(timeOfDay(day));
            }
            times.sort(null);
            for (ZonedDateTime time : times) {
                // Today is still under way: a gateway cannot have reported calls that have not happened.
                if (time.toInstant().isAfter(now)) {
                    break;
                }
                events.add(event(events.size() + 1, time, dayIndex, progress));
            }
        }
        return events;
    }

    private int dailyCount(LocalDate day, double progress) {
        double weekday = switch (day.getDayOfWeek()) {
            case MONDAY, THURSDAY -> 1.0;
            case TUESDAY, WEDNESDAY -> 1.05;
            case FRIDAY -> 0.85;
            case SATURDAY -> organization.saturdayFactor();
            case SUNDAY -> organization.saturdayFactor() / 2;
        };
        double noise = 0.85 + 0.3 * random.nextDouble();
        return (int) Math.round(organization.weekdayEvents() * weekday * (1 + TREND * progress) * noise);
    }

    /** A local time weighted towards the organization's opening hours, with a dip at lunch. */
    private ZonedDateTime timeOfDay(LocalDate day) {
        double[] weights = new double[24];
        double total = 0;
        for (int hour = 0; hour < 24; hour++) {
            weights[hour] = hourWeight(hour);
            total += weights[hour];
        }
        double target = random.nextDouble() * total;
        int hour = 23;
        for (int candidate = 0; candidate < 24; candidate++) {
            target -= weights[candidate];
            if (target < 0) {
                hour = candidate;
                break;
            }
        }
        int secondOfHour = random.nextInt(3600);
        int milliseconds = random.nextInt(1000);
        // atZone moves a time that falls into a daylight-saving gap forward, so every event gets a real instant.
        return day.atTime(LocalTime.of(hour, secondOfHour / 60, secondOfHour % 60, milliseconds * 1_000_000)).atZone(zone);
    }

    private double hourWeight(int hour) {
        int open = organization.openHour();
        int close = organization.closeHour();
        if (hour < open - 1 || hour > close) {
            return hour >= 7 && hour <= 22 ? 0.08 : 0.02;
        }
        if (hour == open - 1 || hour == close) {
            return 0.25;
        }
        if (hour == open || hour == close - 1) {
            return 0.6;
        }
        return hour == 12 ? 0.7 : 1.0;
    }

    private GeneratedEvent event(int number, ZonedDateTime time, int dayIndex, double progress) {
        String provider = providers.pick(random);
        int memberIndex = (int) (organization.members().size() * Math.pow(random.nextDouble(), 1.6));
        DemoOrganization.Member member = organization.members().get(memberIndex);
        boolean staging = random.nextDouble() < STAGING_SHARE;
        boolean failed = random.nextDouble() < ERROR_SHARE;
        String mode = MODES.pick(random);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", "demo-" + organization.slug() + "-" + number);
        payload.put("timestamp", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.from(time)));
        payload.put("provider", provider);
        Map<String, Object> dimensions = new LinkedHashMap<>();
        dimensions.put("account_id", accountIds.pick(random));
        dimensions.put("member", member.name());
        dimensions.put("team", member.team());
        dimensions.put("project", projects.pick(random));
        dimensions.put("department", member.department());
        // A session is one person's stretch of work, so its calls share an id for a couple of hours.
        dimensions.put("session", String.format("sess-%s-%d-%02d", time.toLocalDate(), memberIndex, time.getHour() / 2 * 2));
        dimensions.put("mode", mode);
        dimensions.put("tags", Map.of("environment", staging ? "staging" : "production"));
        switch (provider) {
            case "openai" -> openAi(payload, dimensions, mode, failed, dayIndex);
            case "anthropic" -> anthropic(payload, dimensions, mode, failed, progress);
            case "elevenlabs" -> elevenLabs(payload, dimensions, failed);
            case "smartflo" -> smartflo(payload, dimensions);
            case "images" -> images(payload, dimensions, failed);
            case "flat-token" -> flatToken(payload, dimensions, mode, failed);
            default -> throw new IllegalStateException("no generator for provider " + provider);
        }
        payload.put("dimensions", dimensions);
        return new GeneratedEvent(staging, payload);
    }

    private void openAi(Map<String, Object> payload, Map<String, Object> dimensions, String mode, boolean failed, int dayIndex) {
        boolean trial = dayIndex >= DAYS - UNPRICED_TRIAL_DAYS && random.nextDouble() < UNPRICED_SHARE_OF_OPENAI;
        payload.put("model", trial ? UNPRICED_MODEL : OPENAI_MODELS.pick(random));
        String feature = textFeature(dimensions);
        long prompt = promptTokens(feature);
        long completion = completionTokens(feature, mode);
        if (failed) {
            failure(payload, TOKEN_ERRORS.pick(random));
            return;
        }
        long cached = 0;
        if (prompt >= OPENAI_CACHE_MINIMUM && random.nextDouble() < 0.45) {
            cached = (long) (prompt * (0.3 + 0.6 * random.nextDouble())) / OPENAI_CACHE_STEP * OPENAI_CACHE_STEP;
        }
        if (random.nextDouble() < NATIVE_USAGE_SHARE) {
            // The Chat Completions usage object: prompt_tokens includes the cached tokens, and the plugin subtracts them.
            Map<String, Object> usage = new LinkedHashMap<>();
            usage.put("prompt_tokens", prompt);
            usage.put("completion_tokens", completion);
            usage.put("total_tokens", prompt + completion);
            usage.put("prompt_tokens_details", Map.of("cached_tokens", cached));
            usage.put("completion_tokens_details", Map.of("reasoning_tokens", "expert".equals(mode) ? completion / 3 : 0L));
            payload.put("usage", usage);
        }
        else {
            Map<String, Object> meters = new LinkedHashMap<>();
            meters.put("input_tokens", prompt - cached);
            if (cached > 0) {
                meters.put("cached_tokens", cached);
            }
            meters.put("output_tokens", completion);
            payload.put("meters", meters);
        }
        finish(payload, "ok", tokenDuration(prompt, completion, mode));
    }

    private void anthropic(Map<String, Object> payload, Map<String, Object> dimensions, String mode, boolean failed, double progress) {
        String model = ANTHROPIC_MODELS.pick(random);
        // Teams move from Claude 3.5 Sonnet to Sonnet 4 over the quarter.
        if ("claude-3-5-sonnet".equals(model) && random.nextDouble() < progress * 0.7) {
            model = "claude-sonnet-4";
        }
        payload.put("model", model);
        String feature = textFeature(dimensions);
        long prompt = promptTokens(feature);
        long output = completionTokens(feature, mode);
        if (failed) {
            failure(payload, TOKEN_ERRORS.pick(random));
            return;
        }
        long cacheWrite = 0;
        long cacheRead = 0;
        double cacheDraw = random.nextDouble();
        if (cacheDraw < 0.15) {
            cacheWrite = (long) (prompt * (0.4 + 0.3 * random.nextDouble()));
        }
        else if (cacheDraw < 0.55) {
            cacheRead = (long) (prompt * (0.5 + 0.35 * random.nextDouble()));
        }
        long input = prompt - cacheWrite - cacheRead;
        if (random.nextDouble() < NATIVE_USAGE_SHARE) {
            // The Messages API usage object: input_tokens already leaves the cache reads and writes out.
            Map<String, Object> usage = new LinkedHashMap<>();
            usage.put("input_tokens", input);
            usage.put("output_tokens", output);
            usage.put("cache_creation_input_tokens", cacheWrite);
            usage.put("cache_read_input_tokens", cacheRead);
            payload.put("usage", usage);
        }
        else {
            Map<String, Object> meters = new LinkedHashMap<>();
            meters.put("input_tokens", input);
            meters.put("output_tokens", output);
            if (cacheWrite > 0) {
                meters.put("cache_write_tokens", cacheWrite);
            }
            if (cacheRead > 0) {
                meters.put("cache_read_tokens", cacheRead);
            }
            payload.put("meters", meters);
        }
        finish(payload, "ok", tokenDuration(prompt, output, mode));
    }

    private void elevenLabs(Map<String, Object> payload, Map<String, Object> dimensions, boolean failed) {
        payload.put("model", ELEVENLABS_MODELS.pick(random));
        dimensions.put("feature", random.nextDouble() < 0.6 ? "agents" : "chat");
        dimensions.put("tool", "text_to_speech");
        dimensions.put("integration", INTEGRATIONS.pick(random));
        long characters = logNormal(420, 0.6);
        if (failed) {
            failure(payload, "rate_limited");
            return;
        }
        if (random.nextDouble() < NATIVE_USAGE_SHARE) {
            payload.put("usage", Map.of("character_count", characters));
        }
        else {
            payload.put("meters", Map.of("characters", characters));
        }
        finish(payload, "ok", 300 + characters * 9);
    }

    private void smartflo(Map<String, Object> payload, Map<String, Object> dimensions) {
        payload.put("model", "voice");
        dimensions.put("feature", "agents");
        dimensions.put("tool", "phone");
        dimensions.put("integration", "none");
        // Unanswered and busy calls are the telephony errors: they last no time and bill nothing.
        if (random.nextDouble() < ERROR_SHARE * 2) {
            payload.put("meters", Map.of("minutes", BigDecimal.ZERO));
            finish(payload, CALL_ERRORS.pick(random), 20_000 + random.nextInt(10_000));
            return;
        }
        long seconds = Math.max(4, logNormal(150, 0.7));
        if (random.nextDouble() < 0.3) {
            payload.put("usage", Map.of("duration_seconds", seconds));
        }
        else {
            // Fractional minutes, as most telephony gateways report them; the plugin rounds up to the billing increment.
            payload.put("meters", Map.of("minutes", BigDecimal.valueOf(seconds).divide(SECONDS_PER_MINUTE, 4, RoundingMode.HALF_UP)));
        }
        finish(payload, "ok", seconds * 1000);
    }

    private void images(Map<String, Object> payload, Map<String, Object> dimensions, boolean failed) {
        String model = IMAGE_MODELS.pick(random);
        payload.put("model", model);
        boolean analysis = "vision".equals(model);
        dimensions.put("feature", analysis ? "analysis" : "chat");
        dimensions.put("tool", analysis ? "image_analysis" : "image_generation");
        dimensions.put("integration", INTEGRATIONS.pick(random));
        int count = IMAGE_COUNTS.pick(random);
        if (failed) {
            failure(payload, "rate_limited");
            return;
        }
        payload.put("meters", Map.of("images", count));
        finish(payload, "ok", (analysis ? 1500L : 7000L) * count + random.nextInt(2000));
    }

    private void flatToken(Map<String, Object> payload, Map<String, Object> dimensions, String mode, boolean failed) {
        payload.put("model", FLAT_TOKEN_MODELS.pick(random));
        String feature = textFeature(dimensions);
        long prompt = promptTokens(feature);
        long completion = completionTokens(feature, mode);
        if (failed) {
            failure(payload, TOKEN_ERRORS.pick(random));
            return;
        }
        if (random.nextDouble() < NATIVE_USAGE_SHARE) {
            payload.put("usage", Map.of("prompt_tokens", prompt, "completion_tokens", completion));
        }
        else {
            payload.put("meters", Map.of("tokens", prompt + completion));
        }
        finish(payload, "ok", tokenDuration(prompt, completion, mode));
    }

    /** Picks the feature of a text call, with the tool and integration that go with it. */
    private String textFeature(Map<String, Object> dimensions) {
        String feature = FEATURES.pick(random);
        dimensions.put("feature", feature);
        String tool = switch (feature) {
            case "agents" -> random.nextDouble() < 0.5 ? "calendar" : "crm_lookup";
            case "web_search" -> "browser";
            case "analysis" -> random.nextDouble() < 0.6 ? "code_interpreter" : "spreadsheet";
            default -> random.nextDouble() < 0.3 ? "knowledge_base" : null;
        };
        if (tool != null) {
            dimensions.put("tool", tool);
        }
        dimensions.put("integration", INTEGRATIONS.pick(random));
        return feature;
    }

    private long promptTokens(String feature) {
        return switch (feature) {
            case "agents" -> logNormal(5200, 0.5);
            case "web_search" -> logNormal(3200, 0.45);
            case "analysis" -> logNormal(9000, 0.6);
            default -> logNormal(900, 0.6);
        };
    }

    private long completionTokens(String feature, String mode) {
        double scale = switch (mode) {
            case "fast" -> 0.7;
            case "expert" -> 1.6;
            default -> 1.0;
        };
        return switch (feature) {
            case "agents" -> logNormal(1100 * scale, 0.5);
            case "web_search" -> logNormal(650 * scale, 0.45);
            case "analysis" -> logNormal(1500 * scale, 0.5);
            default -> logNormal(350 * scale, 0.6);
        };
    }

    private long tokenDuration(long prompt, long completion, String mode) {
        int perOutputToken = switch (mode) {
            case "fast" -> 8;
            case "expert" -> 22;
            default -> 14;
        };
        return 250 + prompt / 50 + completion * perOutputToken + random.nextInt(400);
    }

    /** A failed call: providers charge nothing for it, so it carries no meters. */
    private void failure(Map<String, Object> payload, String status) {
        finish(payload, status, "timeout".equals(status) ? 30_000 + random.nextInt(500) : 40 + random.nextInt(200));
    }

    private static void finish(Map<String, Object> payload, String status, long durationMilliseconds) {
        payload.put("status", status);
        payload.put("duration_ms", durationMilliseconds);
    }

    /** A positive whole number around {@code median}: call sizes have a long tail, as a log-normal does. */
    private long logNormal(double median, double spread) {
        return Math.max(1, Math.round(median * Math.exp(random.nextGaussian() * spread)));
    }
}
