package io.meterline.platform.usage;

import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.Money;
import io.meterline.platform.fx.FxConverter;
import io.micronaut.data.connection.ConnectionDefinition;
import io.micronaut.data.connection.ConnectionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;

/**
 * The one figure an aggregate cost shows: the sums kept per billing currency (one, unless the organization changed
 * its billing currency within the range) added up in the organization's current billing currency. A part billed in
 * another currency is converted with {@link FxConverter} at the rate of one day, the range's last: a reporting
 * conversion, so every figure of one answer converts alike and stored figures are never rewritten. A part no rate
 * converts yet is left out of the figure (its original amounts stay in {@code originalCost}).
 */
@Singleton
public class BillingFigures {

    private final FxConverter fx;
    private final ConnectionOperations<Connection> connections;
    private final Clock clock;

    BillingFigures(FxConverter fx, ConnectionOperations<Connection> connections, Clock clock) {
        this.fx = fx;
        this.connections = connections;
        this.clock = clock;
    }

    /**
     * Figures in the organization's current billing currency, the one today's usage (its UTC day, as events convert) bills
     * in ({@link io.meterline.platform.account.BillingCurrencyHistory}: the latest change on or before the day, else
     * {@code organization.billing_currency}), earlier billing currencies converted at the rate of {@code day}. One statement
     * on a connection of its own, no transaction: dashboards read it on every page.
     */
    public In current(long organizationId, LocalDate day) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        String currency = connections.execute(ConnectionDefinition.DEFAULT, status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement("SELECT COALESCE((SELECT c.currency FROM organization_billing_currency c"
                    + " WHERE c.organization_id = o.id AND c.effective_from <= ? ORDER BY c.effective_from DESC LIMIT 1), o.billing_currency)"
                    + " FROM organization o WHERE o.id = ?")) {
                statement.setObject(1, today);
                statement.setLong(2, organizationId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? rows.getString(1) : null;
                }
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading the billing currency failed", e);
            }
        });
        if (currency == null) {
            throw MeterlineException.notFound("Organization");
        }
        return in(currency, day);
    }

    /** Figures in {@code currency}, other billing currencies converted at the rate of {@code day}. */
    public In in(String currency, LocalDate day) {
        return new In(fx, currency, day);
    }

    /** Figures in one currency at one day's rates. */
    public static final class In {

        private final FxConverter fx;
        private final String currency;
        private final LocalDate day;

        private In(FxConverter fx, String currency, LocalDate day) {
            this.fx = fx;
            this.currency = Objects.requireNonNull(currency, "currency is null");
            this.day = Objects.requireNonNull(day, "day is null");
        }

        public String currency() {
            return currency;
        }

        /** The sums per billing currency as one amount in this currency. */
        public BigDecimal amount(Map<String, BigDecimal> billingCost) {
            BigDecimal total = BigDecimal.ZERO;
            for (Map.Entry<String, BigDecimal> part : billingCost.entrySet()) {
                total = total.add(part.getKey().equals(currency) ? part.getValue() : convert(part.getValue(), part.getKey()));
            }
            return Money.round(total);
        }

        /** {@link #amount} with its currency. */
        public Money money(Map<String, BigDecimal> billingCost) {
            return new Money(amount(billingCost), currency);
        }

        /** An amount of another currency in this one, at the day's rate; zero while no rate converts it. */
        public BigDecimal convert(BigDecimal amount, String from) {
            return fx.convert(amount, from, currency, day).map(conversion -> conversion.amount()).orElse(BigDecimal.ZERO);
        }
    }
}
