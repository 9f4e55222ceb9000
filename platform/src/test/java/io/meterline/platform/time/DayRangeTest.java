package io.meterline.platform.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterline.platform.common.MeterlineException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Presets and explicit days resolved against a fixed clock in the viewer's zone. */
class DayRangeTest {

    static final ZoneId TORONTO = ZoneId.of("America/Toronto");
    static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");

    static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    static DayRange preset(DayRange.Preset preset, ZoneId zone, Clock clock) {
        return DayRange.of(preset, null, null, zone, clock);
    }

    static LocalDate day(String text) {
        return LocalDate.parse(text);
    }

    @Test
    void todayIsTheViewersDateNotUtcs() {
        // 03:00 UTC on 1 March is still 28 February in Toronto, and already 08:30 on 1 March in Kolkata.
        Clock clock = at("2026-03-01T03:00:00Z");
        assertThat(preset(DayRange.Preset.TODAY, TORONTO, clock)).isEqualTo(new DayRange(day("2026-02-28"), day("2026-02-28"), TORONTO));
        assertThat(preset(DayRange.Preset.CURRENT_MONTH, TORONTO, clock)).isEqualTo(new DayRange(day("2026-02-01"), day("2026-02-28"), TORONTO));
        assertThat(preset(DayRange.Preset.PREVIOUS_MONTH, TORONTO, clock)).isEqualTo(new DayRange(day("2026-01-01"), day("2026-01-31"), TORONTO));
        assertThat(preset(DayRange.Preset.CURRENT_MONTH, KOLKATA, clock)).isEqualTo(new DayRange(day("2026-03-01"), day("2026-03-01"), KOLKATA));
        assertThat(preset(DayRange.Preset.PREVIOUS_MONTH, KOLKATA, clock)).isEqualTo(new DayRange(day("2026-02-01"), day("2026-02-28"), KOLKATA));
    }

    @Test
    void everyPresetCountsBackFromToday() {
        Clock clock = at("2026-11-10T12:00:00Z"); // a Tuesday
        ZoneId utc = ZoneOffset.UTC;
        assertThat(preset(DayRange.Preset.LAST_7_DAYS, utc, clock)).isEqualTo(new DayRange(day("2026-11-04"), day("2026-11-10"), utc));
        assertThat(preset(DayRange.Preset.LAST_30_DAYS, utc, clock)).isEqualTo(new DayRange(day("2026-10-12"), day("2026-11-10"), utc));
        assertThat(preset(DayRange.Preset.LAST_90_DAYS, utc, clock)).isEqualTo(new DayRange(day("2026-08-13"), day("2026-11-10"), utc));
        assertThat(preset(DayRange.Preset.CURRENT_WEEK, utc, clock)).isEqualTo(new DayRange(day("2026-11-09"), day("2026-11-10"), utc));
        assertThat(preset(DayRange.Preset.CURRENT_YEAR, utc, clock)).isEqualTo(new DayRange(day("2026-01-01"), day("2026-11-10"), utc));
        // On a Monday the current week is that day alone.
        assertThat(preset(DayRange.Preset.CURRENT_WEEK, utc, at("2026-11-09T00:00:00Z"))).isEqualTo(new DayRange(day("2026-11-09"), day("2026-11-09"), utc));
    }

    @Test
    void monthEndsAndTheLeapDay() {
        ZoneId utc = ZoneOffset.UTC;
        assertThat(preset(DayRange.Preset.PREVIOUS_MONTH, utc, at("2028-03-31T23:59:59Z"))).isEqualTo(new DayRange(day("2028-02-01"), day("2028-02-29"), utc));
        assertThat(preset(DayRange.Preset.PREVIOUS_MONTH, utc, at("2027-03-31T12:00:00Z"))).isEqualTo(new DayRange(day("2027-02-01"), day("2027-02-28"), utc));
        assertThat(preset(DayRange.Preset.PREVIOUS_MONTH, utc, at("2027-01-01T00:00:00Z"))).isEqualTo(new DayRange(day("2026-12-01"), day("2026-12-31"), utc));
        assertThat(preset(DayRange.Preset.CURRENT_MONTH, utc, at("2028-02-29T08:00:00Z"))).isEqualTo(new DayRange(day("2028-02-01"), day("2028-02-29"), utc));
        assertThat(preset(DayRange.Preset.LAST_7_DAYS, utc, at("2028-03-02T08:00:00Z"))).isEqualTo(new DayRange(day("2028-02-25"), day("2028-03-02"), utc));
    }

    @Test
    void startAndEndAreLocalMidnightsSoDstDaysHave23Or25Hours() {
        DayRange spring = new DayRange(day("2026-03-08"), day("2026-03-08"), TORONTO);
        assertThat(spring.start()).isEqualTo(Instant.parse("2026-03-08T05:00:00Z"));
        assertThat(spring.end()).isEqualTo(Instant.parse("2026-03-09T04:00:00Z"));
        DayRange fall = new DayRange(day("2026-11-01"), day("2026-11-01"), TORONTO);
        assertThat(fall.end().getEpochSecond() - fall.start().getEpochSecond()).isEqualTo(25 * 3600);
        DayRange kolkata = new DayRange(day("2026-11-10"), day("2026-11-11"), KOLKATA);
        assertThat(kolkata.start()).isEqualTo(Instant.parse("2026-11-09T18:30:00Z"));
        assertThat(kolkata.end()).as("exclusive: the day after the last").isEqualTo(Instant.parse("2026-11-11T18:30:00Z"));
    }

    @Test
    void explicitDaysAreKeptAndBadCombinationsRefused() {
        Clock clock = at("2026-11-10T12:00:00Z");
        assertThat(DayRange.of(null, day("2026-02-28"), day("2026-03-01"), TORONTO, clock)).isEqualTo(new DayRange(day("2026-02-28"), day("2026-03-01"), TORONTO));
        assertThat(DayRange.of(null, day("2026-11-10"), day("2026-11-10"), TORONTO, clock).to()).isEqualTo(day("2026-11-10"));
        assertThat(DayRange.of(null, null, null, TORONTO, clock)).as("nothing given: the current month")
                .isEqualTo(new DayRange(day("2026-11-01"), day("2026-11-10"), TORONTO));

        assertThatThrownBy(() -> DayRange.of(DayRange.Preset.TODAY, day("2026-11-01"), null, TORONTO, clock))
                .isInstanceOf(MeterlineException.class).hasMessage("Give either a preset or from and to, not both");
        assertThatThrownBy(() -> DayRange.of(null, day("2026-11-01"), null, TORONTO, clock)).isInstanceOf(MeterlineException.class).hasMessage("Give both from and to");
        assertThatThrownBy(() -> DayRange.of(null, null, day("2026-11-01"), TORONTO, clock)).isInstanceOf(MeterlineException.class).hasMessage("Give both from and to");
        assertThatThrownBy(() -> DayRange.of(null, day("2026-11-02"), day("2026-11-01"), TORONTO, clock)).isInstanceOf(MeterlineException.class)
                .hasMessage("to is before from");
    }

    @Test
    void aRangeSpansAtMost3700Days() {
        Clock clock = at("2026-11-10T12:00:00Z");
        LocalDate from = day("2020-01-01");
        assertThat(DayRange.of(null, from, from.plusDays(DayRange.MAX_DAYS - 1), ZoneOffset.UTC, clock).to()).isEqualTo(from.plusDays(3699));
        assertThatThrownBy(() -> DayRange.of(null, from, from.plusDays(DayRange.MAX_DAYS), ZoneOffset.UTC, clock))
                .isInstanceOf(MeterlineException.class).hasMessage("A range spans at most 3700 days");
    }

    @Test
    void theGraphQLInputResolvesLikeTheArguments() {
        Clock clock = at("2026-11-10T12:00:00Z");
        assertThat(DayRange.of(null, DayRange.Preset.LAST_7_DAYS, KOLKATA, clock)).isEqualTo(preset(DayRange.Preset.LAST_7_DAYS, KOLKATA, clock));
        Map<String, Object> empty = new HashMap<>();
        empty.put("preset", null);
        assertThat(DayRange.of(empty, DayRange.Preset.TODAY, KOLKATA, clock)).isEqualTo(preset(DayRange.Preset.TODAY, KOLKATA, clock));
        assertThat(DayRange.of(Map.of("preset", "PREVIOUS_MONTH"), DayRange.Preset.TODAY, KOLKATA, clock))
                .isEqualTo(new DayRange(day("2026-10-01"), day("2026-10-31"), KOLKATA));
        assertThat(DayRange.of(Map.of("from", day("2026-11-01"), "to", day("2026-11-03")), DayRange.Preset.TODAY, KOLKATA, clock))
                .isEqualTo(new DayRange(day("2026-11-01"), day("2026-11-03"), KOLKATA));
        assertThatThrownBy(() -> DayRange.of(Map.of("preset", "TODAY", "from", day("2026-11-01")), DayRange.Preset.TODAY, KOLKATA, clock))
                .isInstanceOf(MeterlineException.class);
    }
}
