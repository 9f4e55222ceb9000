package io.meterline.platform.account;

import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.Currency;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which currency an organization bills in on each day. A change applies from a day on and never
 * rewrites the past: usage of a day converts into the currency of that day, and usage already
 * converted keeps its figure. Days are UTC days, the same days usage is converted at.
 *
 * <p>Without a row in {@code organization_billing_currency} every day bills in
 * {@code organization.billing_currency}; the first change also records that currency from
 * 1999-01-01 (the first day a rate can exist), so the rows alone answer every day afterwards.
 */
@Singleton
public class BillingCurrencyHistory {

    /** The euro's first day: no exchange rate, and so no conversion, is older. */
    static final LocalDate FIRST_DAY = LocalDate.of(1999, 1, 1);

    private final JdbcOperations jdbc;
    private final Clock clock;

    BillingCurrencyHistory(JdbcOperations jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * An organization's billing currencies by day.
     *
     * @param current the currency when no change was ever recorded
     * @param changes the currency from each recorded day on
     */
    public record Schedule(String current, NavigableMap<LocalDate, String> changes) {

        public Schedule {
            Objects.requireNonNull(current, "current is null");
            changes = Collections.unmodifiableNavigableMap(new TreeMap<>(changes));
        }

        /** The currency usage of this UTC day is billed in. */
        public String on(LocalDate day) {
            if (changes.isEmpty()) {
                return current;
            }
            Map.Entry<LocalDate, String> entry = changes.floorEntry(day);
            return entry != null ? entry.getValue() : changes.firstEntry().getValue();
        }
    }

    /** The organization's billing currencies by day: one indexed read of its few rows. */
    @Transactional(readOnly = true)
    public Schedule of(Organization organization) {
        NavigableMap<LocalDate, String> changes = jdbc.prepareStatement(
                "SELECT effective_from, currency FROM organization_billing_currency WHERE organization_id = ?", statement -> {
                    statement.setLong(1, organization.id());
                    NavigableMap<LocalDate, String> found = new TreeMap<>();
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            found.put(rows.getObject(1, LocalDate.class), rows.getString(2));
                        }
                    }
                    return found;
                });
        return new Schedule(organization.billingCurrency(), changes);
    }

    /**
     * Bills the organization in another currency from a UTC day on. The day must not be in the past:
     * usage already recorded keeps the currency it was converted into. A change dated today also makes
     * it the organization's current billing currency at once; a later one does so on its day
     * ({@link #applyDue}).
     *
     * @throws UserInputException {@code currencyCode} INVALID for a code money is not billed in, INVALID_STATE for
     *         the currency already billed in on that day; {@code effectiveFrom} OUT_OF_RANGE for a day before today
     *         (UTC), TAKEN for a day that already has a change
     */
    @Transactional
    public Schedule change(Organization organization, String currency, LocalDate effectiveFrom) {
        Objects.requireNonNull(currency, "currency is null");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom is null");
        if (!isBillingCurrency(currency)) {
            throw new UserInputException(UserError.of("currencyCode", AccountErrorCode.INVALID, currency + " is not a currency money is billed in"));
        }
        LocalDate today = today();
        if (effectiveFrom.isBefore(today)) {
            throw new UserInputException(UserError.of("effectiveFrom", AccountErrorCode.OUT_OF_RANGE,
                    "A billing currency changes from today (" + today + ", UTC) on; the past is never rewritten"));
        }
        Schedule schedule = of(organization);
        if (schedule.changes().containsKey(effectiveFrom)) {
            throw new UserInputException(UserError.of("effectiveFrom", AccountErrorCode.TAKEN, "The billing currency already changes on " + effectiveFrom));
        }
        if (schedule.on(effectiveFrom).equals(currency)) {
            throw new UserInputException(UserError.of("currencyCode", AccountErrorCode.INVALID_STATE, "The organization is already billed in " + currency + " on " + effectiveFrom));
        }
        if (schedule.changes().isEmpty()) {
            // Usage may be dated before the organization was created (a backfill), so the old currency
            // covers every day up to the change, from the first day any exchange rate can exist.
            insert(organization.id(), FIRST_DAY, organization.billingCurrency());
        }
        insert(organization.id(), effectiveFrom, currency);
        applyDue();
        return of(organization);
    }

    /**
     * Makes each organization's billing currency of today (UTC) its current one ({@code organization.billing_currency},
     * which balances, plans and the Billing page read), at start and just after every UTC midnight: conversion never
     * waits for it, as it reads the schedule by the usage's day.
     */
    @Transactional
    @Scheduled(cron = "5 0 0 * * *", zoneId = "UTC")
    public void applyDue() {
        jdbc.prepareStatement("UPDATE organization SET billing_currency = (SELECT c.currency FROM organization_billing_currency c"
                + " WHERE c.organization_id = organization.id AND c.effective_from = (SELECT MAX(d.effective_from) FROM organization_billing_currency d"
                + " WHERE d.organization_id = organization.id AND d.effective_from <= ?))"
                + " WHERE id IN (SELECT organization_id FROM organization_billing_currency WHERE effective_from <= ?)", statement -> {
                    LocalDate today = today();
                    statement.setObject(1, today);
                    statement.setObject(2, today);
                    return statement.executeUpdate();
                });
    }

    @EventListener
    void onStartup(StartupEvent event) {
        applyDue();
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private void insert(long organizationId, LocalDate day, String currency) {
        jdbc.prepareStatement("INSERT INTO organization_billing_currency (organization_id, effective_from, currency) VALUES (?, ?, ?)", statement -> {
            statement.setLong(1, organizationId);
            statement.setObject(2, day);
            statement.setString(3, currency);
            return statement.executeUpdate();
        });
    }

    /** Whether money can be billed in this ISO 4217 code (three capital letters of a currency with minor units). */
    public static boolean isBillingCurrency(String code) {
        try {
            return code.matches("[A-Z]{3}") && Currency.getInstance(code).getDefaultFractionDigits() >= 0;
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }
}
