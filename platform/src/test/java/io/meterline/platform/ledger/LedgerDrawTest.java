package io.meterline.platform.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.fx.Conversion;
import io.meterline.platform.usage.Dimensions;
import io.meterline.platform.usage.RecordedUsage;
import io.meterline.platform.usage.StoredLine;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The draw-down order, charges in the billing currency, per-day entries, the service names and plan periods, without a database. */
class LedgerDrawTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final Map<String, String> OPENAI_UNITS = Map.of("input_tokens", "token", "output_tokens", "token", "cached_tokens", "token");

    private static StoredLine line(String meter, long quantity, String amount) {
        return new StoredLine(meter, BigDecimal.valueOf(quantity), BigDecimal.valueOf(quantity), amount == null ? null : BigDecimal.ONE,
                amount == null ? null : 1_000_000L, amount == null ? null : "USD", amount == null ? null : new BigDecimal(amount), null, null, "openai@1");
    }

    private static RecordedUsage usage(String eventId, List<StoredLine> lines) {
        return usage(eventId, "generic", lines);
    }

    /** An event of {@link #NOW} billed in USD, its own currency, when all of its lines are priced. */
    private static RecordedUsage usage(String eventId, String model, List<StoredLine> lines) {
        BigDecimal cost = lines.stream().allMatch(StoredLine::priced) ? lines.stream().map(StoredLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add) : null;
        return usage(eventId, model, NOW, lines, cost == null ? null : new Conversion(cost, "USD", BigDecimal.ONE, LocalDate.of(2026, 11, 25)));
    }

    private static RecordedUsage usage(String eventId, String model, Instant at, List<StoredLine> lines, Conversion billing) {
        Dimensions none = new Dimensions(null, null, null, null, null, null, null, null, null, null, null);
        BigDecimal cost = lines.stream().allMatch(StoredLine::priced) ? lines.stream().map(StoredLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add) : null;
        return new RecordedUsage(7, null, eventId, at, "openai", model, none, 1, false, lines, cost, cost == null ? null : "USD", null, billing);
    }

    private static List<LedgerEntry> drawn(LedgerUsageListener.Draw draw) {
        return draw.entries(7);
    }

    @Test
    void tokensDrawThePlanThenTopUpsThenCreditsForTheUncoveredShare() {
        LedgerUsageListener.Draw draw = new LedgerUsageListener.Draw(100, 50);
        draw.add(usage("e-1", List.of(line("output_tokens", 100, "0.000100000"), line("input_tokens", 120, "0.000072000"))), OPENAI_UNITS);
        assertThat(drawn(draw)).extracting(entry -> entry.account() + " " + entry.service() + " " + entry.amount().stripTrailingZeros().toPlainString() + " " + entry.tokens())
                .containsExactly("PLAN_TOKENS ai_data -100 100", "TOPUP_TOKENS ai_data -20 20", "TOPUP_TOKENS ai_data_completion -30 30",
                        "CREDITS ai_data_completion -0.00007 70");
        assertThat(drawn(draw)).allSatisfy(entry -> {
            assertThat(entry.kind()).isEqualTo(LedgerEntryKind.USAGE);
            assertThat(entry.eventCount()).isEqualTo(1);
            assertThat(entry.usageEventId()).isEqualTo("e-1");
            assertThat(entry.lastUsageEventId()).isEqualTo("e-1");
            assertThat(entry.usageDay()).isEqualTo(LocalDate.of(2026, 11, 25));
            assertThat(entry.createdAt()).isEqualTo(NOW);
        });
        assertThat(drawn(draw)).extracting(LedgerEntry::description).containsExactly("ai_data usage on 2026-11-25, from plan tokens",
                "ai_data usage on 2026-11-25, from top-up tokens", "ai_data_completion usage on 2026-11-25, from top-up tokens", "ai_data_completion usage on 2026-11-25");
    }

    @Test
    void aBatchPostsOneEntryPerDayAccountServiceAndCurrencyDrawnInEventOrder() {
        LedgerUsageListener.Draw draw = new LedgerUsageListener.Draw(150, 0);
        // e-1 takes 100 plan tokens, e-2 the last 50 and pays for 50, e-3 pays in full; e-4 has only cached tokens.
        draw.add(usage("e-1", "gpt-4o", List.of(line("input_tokens", 100, "0.000060000"))), OPENAI_UNITS);
        draw.add(usage("e-2", "gpt-4o", List.of(line("input_tokens", 100, "0.000060000"))), OPENAI_UNITS);
        draw.add(usage("e-3", "gpt-4o-mini", List.of(line("input_tokens", 10, "0.000000333"), line("cache_write_tokens", 10, "0.000000333"))),
                Map.of("input_tokens", "token", "cache_write_tokens", "token"));
        draw.add(usage("e-4", "gpt-4o", List.of(line("cached_tokens", 10, "0.000000750"))), OPENAI_UNITS);
        List<LedgerEntry> entries = drawn(draw);
        assertThat(entries).extracting(entry -> entry.account() + " " + entry.service() + " " + entry.amount().stripTrailingZeros().toPlainString() + " "
                        + entry.tokens() + " " + entry.eventCount() + " " + entry.usageEventId() + ".." + entry.lastUsageEventId())
                // 0.00006 x 50/100 = 0.00003; e-3's two ai_data lines count it once.
                .containsExactly("PLAN_TOKENS ai_data -150 150 2 e-1..e-2",
                        "CREDITS ai_data -0.000030666 70 2 e-2..e-3",
                        "CREDITS ai_data_cached -0.00000075 10 1 e-4..e-4");
        assertThat(entries.get(1).currencyCode()).isEqualTo("USD");
        assertThat(entries.get(0).currencyCode()).isNull();
    }

    @Test
    void unpricedAndUnconvertedEventsDrawTokensAndRememberTheirChargeForLater() {
        LedgerUsageListener.Draw draw = new LedgerUsageListener.Draw(10, 0);
        draw.add(usage("e-3", List.of(line("input_tokens", 30, null), line("images", 2, null))), Map.of("input_tokens", "token", "images", "image"));
        // Priced but held: no rate into the billing currency yet.
        draw.add(usage("e-4", "generic", NOW, List.of(line("output_tokens", 5, "0.000005000")), null), OPENAI_UNITS);
        assertThat(drawn(draw)).singleElement().satisfies(entry -> {
            assertThat(entry.account()).isEqualTo(LedgerAccount.PLAN_TOKENS);
            assertThat(entry.amount()).isEqualByComparingTo("-10");
        });
        // Images are charged whole (1 of 1), token lines the share no plan tokens covered.
        assertThat(draw.waiting()).containsExactly(new LedgerStore.UnchargedLine("e-3", "images", 1, 1), new LedgerStore.UnchargedLine("e-3", "input_tokens", 30, 20),
                new LedgerStore.UnchargedLine("e-4", "output_tokens", 5, 5));
    }

    @Test
    void creditsAreChargedTheBillingFigureSplitOverTheLinesToTheLastNanoAndDatedByTheUsageDay() {
        LedgerUsageListener.Draw draw = new LedgerUsageListener.Draw(0, 0);
        // 0.000000335 x 1.3 = 0.0000004355 rounds to 0.000000436 per line, 0.000000872 for two, but the event is 0.00000067 x 1.3 = 0.000000871 CAD:
        // the last line takes what the first leaves.
        BigDecimal rate = new BigDecimal("1.300000000000");
        draw.add(usage("c-1", "gpt-4o", Instant.parse("2026-11-24T23:59:59Z"), List.of(line("input_tokens", 10, "0.000000335"), line("output_tokens", 10, "0.000000335")),
                new Conversion(new BigDecimal("0.000000871"), "CAD", rate, LocalDate.of(2026, 11, 24))), OPENAI_UNITS);
        draw.add(usage("c-2", "gpt-4o", Instant.parse("2026-11-25T00:00:00Z"), List.of(line("input_tokens", 10, "0.000001000")),
                new Conversion(new BigDecimal("0.000001300"), "CAD", rate, LocalDate.of(2026, 11, 25))), OPENAI_UNITS);
        assertThat(drawn(draw)).extracting(entry -> entry.usageDay() + " " + entry.service() + " " + entry.amount().toPlainString() + " " + entry.currencyCode())
                .containsExactly("2026-11-24 ai_data -0.000000436 CAD", "2026-11-24 ai_data_completion -0.000000435 CAD", "2026-11-25 ai_data -0.000001300 CAD");
        assertThat(draw.waiting()).isEmpty();
    }

    @Test
    void servicesFollowTheMetersUnit() {
        assertThat(LedgerServices.of("image", "images")).isEqualTo("ai_images");
        assertThat(LedgerServices.of("token", "cache_read_tokens")).isEqualTo("ai_data_cached");
        assertThat(LedgerServices.of("token", "cache_write_tokens")).isEqualTo("ai_data");
        assertThat(LedgerServices.of("token", "tokens")).isEqualTo("ai_data");
        assertThat(LedgerServices.of("character", "characters")).isEqualTo("tts_characters");
        assertThat(LedgerServices.of("minute", "minutes")).isEqualTo("call_minutes");
    }

    @Test
    void plansPeriodsStartOnTheResetDayInTheOrganizationsZone() {
        Plan plan = new Plan(1L, "Pro", BigDecimal.TEN, "CAD", 1000, 15, true, false, NOW, null, true);
        ZoneId kolkata = ZoneId.of("Asia/Kolkata");
        assertThat(plan.periodStart(Instant.parse("2026-11-14T18:29:59Z"), kolkata)).isEqualTo(LocalDate.parse("2026-10-15"));
        assertThat(plan.periodStart(Instant.parse("2026-11-14T18:30:00Z"), kolkata)).isEqualTo(LocalDate.parse("2026-11-15"));
        assertThat(plan.periodStart(Instant.parse("2026-01-03T00:00:00Z"), ZoneId.of("UTC"))).isEqualTo(LocalDate.parse("2025-12-15"));
    }
}
