package io.meterline.platform.usage;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.Money;
import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.pricing.PriceBook;
import io.meterline.platform.pricing.RateRecord;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Usage totals for a range of local days, read from the 15-minute aggregates only: a summary costs
 * the same whether the range holds a hundred events or a hundred million.
 */
@Singleton
public class UsageSummaryService {

    private final JdbcOperations jdbc;
    private final PluginRegistry plugins;
    private final PriceBook priceBook;
    private final OrganizationRepository organizations;
    private final BillingFigures figures;
    private final Clock clock;

    UsageSummaryService(JdbcOperations jdbc, PluginRegistry plugins, PriceBook priceBook, OrganizationRepository organizations, BillingFigures figures,
                        Clock clock) {
        this.jdbc = jdbc;
        this.plugins = plugins;
        this.priceBook = priceBook;
        this.organizations = organizations;
        this.figures = figures;
        this.clock = clock;
    }

    /** A provider and model's calls, and their cost in one billing currency ('' for calls without a billing figure). */
    private record CallRow(String provider, String model, String billingCurrency, long requests, long errors, long unpriced, BigDecimal billingCost) {
    }

    private record MeterRow(String provider, String model, String meter, String currency, BigDecimal quantity, BigDecimal billable, BigDecimal amount) {
    }

    @Transactional(readOnly = true)
    public UsageSummary summarize(long organizationId, DayRange range) {
        Organization organization = organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization"));
        BillingFigures.In figure = figures.current(organizationId, range.to());
        List<CallRow> calls = jdbc.prepareStatement("SELECT provider, model, billing_currency, SUM(requests), SUM(error_requests), SUM(unpriced_requests),"
                + " SUM(billing_cost) FROM usage_bucket WHERE organization_id = ? AND bucket_start >= ? AND bucket_start < ? GROUP BY provider, model, billing_currency",
                statement -> {
            bindRange(statement, organizationId, range);
            List<CallRow> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(new CallRow(result.getString(1), result.getString(2), result.getString(3), result.getLong(4), result.getLong(5), result.getLong(6),
                            result.getBigDecimal(7)));
                }
            }
            return rows;
        });
        List<MeterRow> meters = jdbc.prepareStatement("SELECT provider, model, meter, currency, SUM(quantity), SUM(billable_quantity), SUM(amount)"
                + " FROM usage_bucket_meter WHERE organization_id = ? AND bucket_start >= ? AND bucket_start < ? GROUP BY provider, model, meter, currency", statement -> {
            bindRange(statement, organizationId, range);
            List<MeterRow> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(new MeterRow(result.getString(1), result.getString(2), result.getString(3), result.getString(4),
                            result.getBigDecimal(5), result.getBigDecimal(6), result.getBigDecimal(7)));
                }
            }
            return rows;
        });
        // Held events are few and indexed by organization and time: no usage_event read.
        long unconverted = jdbc.prepareStatement("SELECT COALESCE(SUM(requests), 0) FROM usage_unconverted"
                + " WHERE organization_id = ? AND occurred_at >= ? AND occurred_at < ?", statement -> {
            bindRange(statement, organizationId, range);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        });
        List<MeterRow> estimates = estimates(organization, meters);
        List<UsageSummary.UsageGroup> byProvider = groups(calls, meters, row -> row.provider(), CallRow::provider, false, figure);
        List<UsageSummary.UsageGroup> byModel = groups(calls, meters, row -> row.provider() + "\u0000" + row.model(), call -> call.provider() + "\u0000" + call.model(), true,
                figure);
        Map<String, BigDecimal> perMeter = new TreeMap<>();
        meters.forEach(row -> perMeter.merge(row.provider() + "\u0000" + row.meter(), row.quantity(), BigDecimal::add));
        List<UsageSummary.ProviderMeterQuantity> meterTotals = new ArrayList<>();
        perMeter.forEach((key, quantity) -> {
            String[] parts = key.split("\u0000");
            meterTotals.add(new UsageSummary.ProviderMeterQuantity(parts[0], parts[1], unit(parts[0], parts[1]), quantity));
        });
        return new UsageSummary(range.from(), range.to(), range.zone().getId(),
                calls.stream().mapToLong(CallRow::requests).sum(), calls.stream().mapToLong(CallRow::errors).sum(), calls.stream().mapToLong(CallRow::unpriced).sum(),
                unconverted, unitTotal(meters, "token").longValue(), unitTotal(meters, "character").longValue(), unitTotal(meters, "minute"), unitTotal(meters, "image").longValue(),
                meterTotals, billingCost(calls, figure), cost(meters), estimatedCost(calls, estimates, figure), cost(Stream.concat(meters.stream(), estimates.stream()).toList()),
                byProvider, byModel, clock.instant());
    }

    private List<UsageSummary.UsageGroup> groups(List<CallRow> calls, List<MeterRow> meters, Function<MeterRow, String> meterKey,
                                                 Function<CallRow, String> callKey, boolean withModel, BillingFigures.In figure) {
        Map<String, List<MeterRow>> metersByKey = new TreeMap<>();
        meters.forEach(row -> metersByKey.computeIfAbsent(meterKey.apply(row), key -> new ArrayList<>()).add(row));
        Map<String, List<CallRow>> callsByKey = new TreeMap<>();
        calls.forEach(row -> callsByKey.computeIfAbsent(callKey.apply(row), key -> new ArrayList<>()).add(row));
        List<UsageSummary.UsageGroup> groups = new ArrayList<>();
        callsByKey.forEach((key, rows) -> {
            List<MeterRow> groupMeters = metersByKey.getOrDefault(key, List.of());
            Map<String, BigDecimal> quantities = new TreeMap<>();
            groupMeters.forEach(row -> quantities.merge(row.meter(), row.quantity(), BigDecimal::add));
            groups.add(new UsageSummary.UsageGroup(rows.get(0).provider(), withModel ? rows.get(0).model() : null,
                    rows.stream().mapToLong(CallRow::requests).sum(), rows.stream().mapToLong(CallRow::errors).sum(), rows.stream().mapToLong(CallRow::unpriced).sum(),
                    unitTotal(groupMeters, "token").longValue(),
                    quantities.entrySet().stream().map(entry -> new UsageSummary.MeterQuantity(entry.getKey(), entry.getValue())).toList(),
                    billingCost(rows, figure), cost(groupMeters)));
        });
        groups.sort(Comparator.comparing(UsageSummary.UsageGroup::provider).thenComparing(group -> group.model() == null ? "" : group.model()));
        return groups;
    }

    private BigDecimal unitTotal(List<MeterRow> rows, String unit) {
        return rows.stream().filter(row -> unit.equals(unit(row.provider(), row.meter()))).map(MeterRow::quantity).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private String unit(String provider, String meter) {
        return plugins.unitOf(provider, meter);
    }

    /** The calls' billing figure (see {@link BillingFigures}). */
    private static Money billingCost(List<CallRow> rows, BillingFigures.In figure) {
        Map<String, BigDecimal> byCurrency = new TreeMap<>();
        rows.stream().filter(row -> !row.billingCurrency().isEmpty()).forEach(row -> byCurrency.merge(row.billingCurrency(), row.billingCost(), BigDecimal::add));
        return figure.money(byCurrency);
    }

    /** The priced amounts per currency: the meters' amounts (unpriced lines have currency ''). */
    private static List<Money> cost(List<MeterRow> rows) {
        Map<String, BigDecimal> byCurrency = new TreeMap<>();
        rows.stream().filter(row -> !row.currency().isEmpty()).forEach(row -> byCurrency.merge(row.currency(), row.amount(), BigDecimal::add));
        return byCurrency.entrySet().stream().map(entry -> new Money(Money.round(entry.getValue()), entry.getKey())).toList();
    }

    /**
     * Estimates of the unpriced quantities, as meter rows of their rates' currencies (amounts only): each at the current
     * rate of the same provider, model and meter, else the provider's dearest current rate for that meter (an upper bound,
     * since an unpriced model is usually a new, dearer one), with the organization's overrides.
     */
    private List<MeterRow> estimates(Organization organization, List<MeterRow> rows) {
        List<MeterRow> estimated = new ArrayList<>();
        BigDecimal factor = organization.priceFactor();
        for (MeterRow row : rows) {
            if (!row.currency().isEmpty() || row.billable().signum() == 0) {
                continue;
            }
            estimateRate(row).ifPresent(rate -> estimated.add(new MeterRow(row.provider(), row.model(), row.meter(), rate.currency(), BigDecimal.ZERO,
                    BigDecimal.ZERO, Money.round(rate.toRate().amountFor(row.billable()).multiply(factor)))));
        }
        return estimated;
    }

    /** The billing figure plus the estimates of unpriced quantities, converted into the billing currency at the rate of the range's last day. */
    private static Money estimatedCost(List<CallRow> calls, List<MeterRow> estimates, BillingFigures.In figure) {
        BigDecimal total = billingCost(calls, figure).amount();
        for (MeterRow estimate : estimates) {
            total = total.add(figure.convert(estimate.amount(), estimate.currency()));
        }
        return new Money(Money.round(total), figure.currency());
    }

    private Optional<RateRecord> estimateRate(MeterRow row) {
        List<RateRecord> current = priceBook.current(row.provider());
        Optional<RateRecord> exact = current.stream().filter(rate -> rate.model().equals(row.model()) && rate.meter().equals(row.meter())).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        return current.stream().filter(rate -> rate.meter().equals(row.meter()))
                .max(Comparator.comparing(rate -> rate.unitPrice().divide(BigDecimal.valueOf(rate.perQuantity()), MathContext.DECIMAL128)));
    }

    private static void bindRange(java.sql.PreparedStatement statement, long organizationId, DayRange range) throws java.sql.SQLException {
        statement.setLong(1, organizationId);
        statement.setObject(2, TimeBuckets.toColumn(range.start()));
        statement.setObject(3, TimeBuckets.toColumn(range.end()));
    }

}
