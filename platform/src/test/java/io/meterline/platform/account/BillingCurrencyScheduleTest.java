package io.meterline.platform.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Which billing currency a day converts into. */
class BillingCurrencyScheduleTest {

    @Test
    void withoutChangesEveryDayBillsInTheOrganizationsCurrency() {
        BillingCurrencyHistory.Schedule schedule = new BillingCurrencyHistory.Schedule("CAD", new TreeMap<>());
        assertThat(schedule.on(LocalDate.parse("1999-01-01"))).isEqualTo("CAD");
        assertThat(schedule.on(LocalDate.parse("2030-06-30"))).isEqualTo("CAD");
    }

    @Test
    void aChangeAppliesFromItsDayOnAndNotBefore() {
        TreeMap<LocalDate, String> changes = new TreeMap<>();
        changes.put(BillingCurrencyHistory.FIRST_DAY, "CAD");
        changes.put(LocalDate.parse("2026-11-23"), "EUR");
        changes.put(LocalDate.parse("2027-01-01"), "USD");
        // organization.billing_currency may already name the newest currency; the rows decide.
        BillingCurrencyHistory.Schedule schedule = new BillingCurrencyHistory.Schedule("USD", changes);
        assertThat(schedule.on(LocalDate.parse("2026-11-22"))).isEqualTo("CAD");
        assertThat(schedule.on(LocalDate.parse("2026-11-23"))).isEqualTo("EUR");
        assertThat(schedule.on(LocalDate.parse("2026-12-31"))).isEqualTo("EUR");
        assertThat(schedule.on(LocalDate.parse("2027-01-01"))).isEqualTo("USD");
        assertThat(schedule.on(LocalDate.parse("1998-12-31"))).as("before every row: the oldest known currency").isEqualTo("CAD");
    }

    @Test
    void theScheduleKeepsItsOwnCopy() {
        TreeMap<LocalDate, String> changes = new TreeMap<>();
        changes.put(LocalDate.parse("2026-11-23"), "EUR");
        BillingCurrencyHistory.Schedule schedule = new BillingCurrencyHistory.Schedule("CAD", changes);
        changes.put(LocalDate.parse("2026-11-24"), "JPY");
        assertThat(schedule.on(LocalDate.parse("2026-11-24"))).isEqualTo("EUR");
    }
}
