package io.meterline.platform.ledger;

import static org.assertj.core.api.Assertions.assertThat;

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

/** The draw-down order, the service names and plan periods, without a database. */
class LedgerDrawTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final Map<String, String> OPENAI_UNITS = Map.of("input_tokens", "token", "output_tokens", "token", "cached_tokens", "token");

    private static StoredLine line(String meter, long quantity, String amount) {
        return new StoredLine(meter, BigDecimal.valueOf(quantity), BigDecimal.valueOf(quantity), amount == null ? null : BigDecimal.ONE,
                amount == null ? null : 1_000_000L, amount == null ? null : "USD", amount == null ? null : new BigDecimal(amount), null, null, "openai@1");
    }

    private static RecordedUsage usage(String eventId, List<StoredLine> lines) {
        Dimensions none = new Dimensions(null, null, null, null, null, null, null, null, null, null, null);
        return new RecordedUsage(7, null, eventId, NOW, "openai", "generic", none, 1, false, lines, null, null, null);
    }

    @Test
    void tokensDrawThePlanThenTopUpsThenCreditsForTheUncoveredShare() {
        LedgerUsageListener.Draw draw = new LedgerUsageListener.Draw(100, 50);
        List<LedgerEntry> entries = draw.entries(usage("e-1", List.of(line("output_tokens", 100, "0.000100000"), line("input_tokens", 120, "0.000072000"))),
                OPENAI_UNITS, NOW);
        assertThat(entries).extracting(entry -> entry.account() + " " + entry.service() + " " + entry.amount().stripTrailingZeros().toPlainString() + " " + entry.tokens())
                .containsExactly("PLAN_TOKENS ai_data -100 100", "TOPUP_TOKENS ai_data -20 20", "TOPUP_TOKENS ai_data_completion -30 30",
                        "CREDITS ai_data_completion -0.00007 70");
        // Nothing left: the next event is charged in full.
        List<LedgerEntry> next = draw.entries(usage("e-2", List.of(line("cached_tokens", 10, "0.000000750"))), OPENAI_UNITS, NOW);
        assertThat(next).singleElement().satisfies(entry -> {
            assertThat(entry.account()).isEqualTo(LedgerAccount.CREDITS);
            assertThat(entry.service()).isEqualTo("ai_data_cached");
            assertThat(entry.amount()).isEqualByComparingTo("-0.00000075");
            assertThat(entry.usageEventId()).isEqualTo("e-2");
        });
    }

    @Test
    void unpricedLinesDrawTokensButChargeNoCredits() {
        LedgerUsageListener.Draw draw = new LedgerUsageListener.Draw(10, 0);
        List<LedgerEntry> entries = draw.entries(usage("e-3", List.of(line("input_tokens", 30, null))), OPENAI_UNITS, NOW);
        assertThat(entries).singleElement().satisfies(entry -> {
            assertThat(entry.account()).isEqualTo(LedgerAccount.PLAN_TOKENS);
            assertThat(entry.amount()).isEqualByComparingTo("-10");
        });
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
        Plan plan = new Plan(1L, "Pro", BigDecimal.TEN, "CAD", 1000, 15, true, false, NOW);
        ZoneId kolkata = ZoneId.of("Asia/Kolkata");
        assertThat(plan.periodStart(Instant.parse("2026-11-14T18:29:59Z"), kolkata)).isEqualTo(LocalDate.parse("2026-10-15"));
        assertThat(plan.periodStart(Instant.parse("2026-11-14T18:30:00Z"), kolkata)).isEqualTo(LocalDate.parse("2026-11-15"));
        assertThat(plan.periodStart(Instant.parse("2026-01-03T00:00:00Z"), ZoneId.of("UTC"))).isEqualTo(LocalDate.parse("2025-12-15"));
    }
}
