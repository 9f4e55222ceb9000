package io.meterline.platform.invoice;

import static io.meterline.platform.common.jdbc.TimeColumns.toColumn;

import io.meterline.platform.common.ControlCharacters;
import io.meterline.platform.common.Money;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.common.jdbc.JdbcWork;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The tax table platform admins manage (rates by country and region with effective days, never overlapping for one
 * region) and per-organization exemptions; and the tax an invoice applies when it is finalized.
 */
@Singleton
public class TaxRates {

    /** The invoice_sequence row every rate change locks, so two concurrent changes cannot both pass the overlap check. */
    private static final String LOCK_ROW = "TAX-RATES";
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final TransactionOperations<Connection> transactions;
    private final InvoiceStore store;
    private final TenantScope tenantScope;
    private final Clock clock;

    public TaxRates(TransactionOperations<Connection> transactions, InvoiceStore store, TenantScope tenantScope, Clock clock) {
        this.transactions = transactions;
        this.store = store;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    /** A stored rate; {@code region} '' covers the whole country, {@code effectiveTo} is exclusive, null open-ended. */
    public record TaxRate(long id, String country, String region, String name, BigDecimal percent, LocalDate effectiveFrom, @Nullable LocalDate effectiveTo) {
    }

    /** {@code taxRateSet}'s input, read once at the GraphQL boundary. */
    public record RateInput(@Nullable String country, @Nullable String region, @Nullable String name, @Nullable BigDecimal percent,
                            @Nullable LocalDate effectiveFrom, @Nullable LocalDate effectiveTo) {
    }

    /** The tax an invoice applied: none (no rate or no BILL TO), exempt, or a rate and its rounded amount. */
    public record Applied(@Nullable String name, @Nullable BigDecimal percent, boolean exempt, BigDecimal amount) {
    }

    /** Stores a rate. Platform admins. */
    public TaxRate set(Viewer viewer, RateInput input) {
        tenantScope.requirePlatformAdmin(viewer);
        List<UserError> errors = new ArrayList<>();
        String country = input.country() == null ? "" : input.country().trim().toUpperCase(Locale.ROOT);
        if (country.isEmpty()) {
            errors.add(UserError.of("country", InvoiceErrorCode.BLANK, "Enter the country's two-letter ISO code, such as CA."));
        }
        else if (!COUNTRIES.contains(country)) {
            errors.add(UserError.of("country", InvoiceErrorCode.INVALID, country + " is no ISO 3166-1 country code."));
        }
        String region = input.region() == null ? "" : input.region().trim().toUpperCase(Locale.ROOT);
        if (region.length() > 100 || ControlCharacters.presentIn(region)) {
            errors.add(UserError.of("region", InvoiceErrorCode.INVALID, "The region is a code or name of at most 100 characters, such as ON."));
        }
        String name = input.name() == null ? "" : input.name().trim();
        if (name.isEmpty()) {
            errors.add(UserError.of("name", InvoiceErrorCode.BLANK, "Name the tax as the invoice shows it, such as HST."));
        }
        else if (name.length() > 100 || ControlCharacters.presentIn(name)) {
            errors.add(UserError.of("name", InvoiceErrorCode.INVALID, "The name has at most 100 characters."));
        }
        BigDecimal percent = input.percent();
        if (percent == null) {
            errors.add(UserError.of("percent", InvoiceErrorCode.BLANK, "Enter the rate in percent, such as 13."));
        }
        else if (percent.signum() < 0 || percent.compareTo(HUNDRED) > 0 || percent.stripTrailingZeros().scale() > 6) {
            errors.add(UserError.of("percent", InvoiceErrorCode.OUT_OF_RANGE, "The rate is a percentage from 0 to 100 with at most 6 decimals."));
        }
        if (input.effectiveFrom() == null) {
            errors.add(UserError.of("effectiveFrom", InvoiceErrorCode.BLANK, "Enter the first day the rate applies."));
        }
        else if (input.effectiveTo() != null && !input.effectiveTo().isAfter(input.effectiveFrom())) {
            errors.add(UserError.of("effectiveTo", InvoiceErrorCode.OUT_OF_RANGE, "The rate must end after the day it starts."));
        }
        UserInputException.throwIfAny(errors);
        store.ensureSeries(LOCK_ROW);
        return JdbcWork.write(transactions, connection -> {
            try (PreparedStatement lock = connection.prepareStatement("SELECT last_number FROM invoice_sequence WHERE series = ? FOR UPDATE")) {
                lock.setString(1, LOCK_ROW);
                lock.executeQuery().close();
            }
            for (TaxRate existing : rates(connection, country)) {
                if (existing.region().equals(region) && overlaps(existing, input.effectiveFrom(), input.effectiveTo())) {
                    throw new UserInputException(UserError.of("effectiveFrom", InvoiceErrorCode.TAX_RATE_OVERLAP, "The " + existing.name() + " rate of "
                            + country + (region.isEmpty() ? "" : "-" + region) + " already applies from " + existing.effectiveFrom()
                            + (existing.effectiveTo() == null ? " on" : " to " + existing.effectiveTo()) + ": rates of one region never overlap."));
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tax_rate (country, region, name, percent, effective_from, effective_to,"
                    + " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", PreparedStatement.RETURN_GENERATED_KEYS)) {
                insert.setString(1, country);
                insert.setString(2, region);
                insert.setString(3, name);
                insert.setBigDecimal(4, percent);
                insert.setObject(5, input.effectiveFrom());
                insert.setObject(6, input.effectiveTo());
                insert.setString(7, viewer.email());
                insert.setObject(8, toColumn(clock.instant()));
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    return new TaxRate(keys.getLong(1), country, region, name, percent, input.effectiveFrom(), input.effectiveTo());
                }
            }
        });
    }

    private static boolean overlaps(TaxRate rate, LocalDate from, @Nullable LocalDate to) {
        boolean startsBeforeNewEnds = to == null || rate.effectiveFrom().isBefore(to);
        boolean endsAfterNewStarts = rate.effectiveTo() == null || rate.effectiveTo().isAfter(from);
        return startsBeforeNewEnds && endsAfterNewStarts;
    }

    /** The rates, of one country or all. Platform admins. */
    public List<TaxRate> list(Viewer viewer, @Nullable String country) {
        tenantScope.requirePlatformAdmin(viewer);
        return JdbcWork.read(transactions, connection -> rates(connection, country == null ? null : country.trim().toUpperCase(Locale.ROOT)));
    }

    private static List<TaxRate> rates(Connection connection, @Nullable String country) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT id, country, region, name, percent, effective_from, effective_to FROM tax_rate"
                + (country == null ? "" : " WHERE country = ?") + " ORDER BY country, region, effective_from")) {
            if (country != null) {
                statement.setString(1, country);
            }
            List<TaxRate> rates = new ArrayList<>();
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    rates.add(new TaxRate(row.getLong(1), row.getString(2), row.getString(3), row.getString(4), row.getBigDecimal(5).stripTrailingZeros(),
                            row.getObject(6, LocalDate.class), row.getObject(7, LocalDate.class)));
                }
            }
            return rates;
        }
    }

    /** Exempts an organization from tax, or ends its exemption. Platform admins; another organization's id is NOT_FOUND for others. */
    public boolean setExemption(Viewer viewer, @Nullable String organizationId, boolean exempt, @Nullable String reason) {
        long organization = tenantScope.organizationFor(viewer, organizationId);
        tenantScope.requirePlatformAdmin(viewer);
        String why = reason == null ? "" : reason.trim();
        if (exempt && why.isEmpty()) {
            throw new UserInputException(UserError.of("reason", InvoiceErrorCode.BLANK, "Say why the organization is exempt, such as its certificate number."));
        }
        if (why.length() > 500 || ControlCharacters.presentIn(why)) {
            throw new UserInputException(UserError.of("reason", InvoiceErrorCode.INVALID, "The reason has at most 500 characters."));
        }
        return JdbcWork.write(transactions, connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM tax_exemption WHERE organization_id = ?")) {
                delete.setLong(1, organization);
                delete.executeUpdate();
            }
            if (exempt) {
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tax_exemption (organization_id, reason, created_by, created_at) VALUES (?, ?, ?, ?)")) {
                    insert.setLong(1, organization);
                    insert.setString(2, why);
                    insert.setString(3, viewer.email());
                    insert.setObject(4, toColumn(clock.instant()));
                    insert.executeUpdate();
                }
            }
            return exempt;
        });
    }

    /**
     * The tax of a taxable subtotal: the exemption first, then the rate of the BILL TO region, else of its whole country,
     * that applies on {@code day}; rounded once to the currency's minor unit.
     */
    Applied apply(Connection connection, long organizationId, @Nullable BillTo billTo, LocalDate day, BigDecimal subtotal, String currency) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM tax_exemption WHERE organization_id = ?")) {
            statement.setLong(1, organizationId);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                if (result.getLong(1) > 0) {
                    return new Applied(null, null, true, Money.toMinorUnit(BigDecimal.ZERO, currency));
                }
            }
        }
        if (billTo == null) {
            return new Applied(null, null, false, Money.toMinorUnit(BigDecimal.ZERO, currency));
        }
        String region = billTo.region() == null ? "" : billTo.region().trim().toUpperCase(Locale.ROOT);
        Optional<TaxRate> rate = rates(connection, billTo.country().toUpperCase(Locale.ROOT)).stream()
                .filter(candidate -> candidate.region().equals(region) || candidate.region().isEmpty())
                .filter(candidate -> !candidate.effectiveFrom().isAfter(day) && (candidate.effectiveTo() == null || candidate.effectiveTo().isAfter(day)))
                // The region's own rate before the country's.
                .min((a, b) -> Boolean.compare(a.region().isEmpty(), b.region().isEmpty()));
        if (rate.isEmpty()) {
            return new Applied(null, null, false, Money.toMinorUnit(BigDecimal.ZERO, currency));
        }
        BigDecimal tax = Money.toMinorUnit(subtotal.multiply(rate.get().percent()).movePointLeft(2), currency);
        return new Applied(rate.get().name(), rate.get().percent(), false, tax);
    }
}
