package io.meterline.platform.admin;

import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.alert.AlertService;
import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.analytics.Dimension;
import io.meterline.platform.analytics.Totals;
import io.meterline.platform.budget.Budget;
import io.meterline.platform.budget.BudgetRepository;
import io.meterline.platform.budget.BudgetService;
import io.meterline.platform.budget.BudgetStatus;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.Money;
import io.meterline.platform.fx.Conversion;
import io.meterline.platform.fx.FxConverter;
import io.meterline.platform.fx.ReportConverter;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.ViewerZones;
import io.meterline.platform.usage.StoredLine;
import io.meterline.platform.usage.UsageEventView;
import io.meterline.platform.usage.UsageQueries;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.model.Pageable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The usage monitoring views of seed 003: the platform admin's overview, monthly summaries, recent
 * activity, service breakdown and top customers, and the customer's own view. Months are calendar
 * months in each customer's time zone. Figures are read through {@link AnalyticsService#breakdowns}:
 * each customer's month is whole local days of its own zone, so every page reads the day rows of
 * {@code usage_rollup} for all its customers in one statement (by provider, or the total), as of the
 * last roll, whatever the number of events or customers.
 * <p>
 * A service's quantities are the rollup's measures of the units its plugin declares (tokens,
 * characters, minutes, images); a provider's cost is not split by unit in the rollup, so it is
 * shown on the provider's first unit row (every installed plugin meters one unit).
 * <p>
 * Money across customers is in the reporting currency ({@link ReportingConfiguration}), a customer's own
 * view in its billing currency: each customer's billing-currency sums of the month (the rollup's; every
 * event converted at its own day's rate when it was stored) are converted at the rate of the month's last
 * day, which for the current month is the latest rate. One rate per currency and month rather than one per
 * day: the views read month totals, and a daily read would multiply the rows by thirty. A sum no rate
 * converts is shown apart ({@link CostFigures#unconvertedCost()}), never as 0.
 */
@Singleton
public class AdminService {

    /** The most calls recent activity shows. */
    static final int MAX_RECENT = 50;
    /** How many months before the current one a customer's history shows. */
    static final int HISTORY_MONTHS = 6;

    private final AdminStore store;
    private final AnalyticsService analytics;
    private final OrganizationRepository organizations;
    private final AlertService alerts;
    private final BudgetRepository budgets;
    private final BudgetService budgetService;
    private final PluginRegistry plugins;
    private final UsageQueries events;
    private final ViewerZones zones;
    private final TenantScope tenantScope;
    private final FxConverter fx;
    private final ReportConverter reports;
    private final String reportingCurrency;
    private final Clock clock;

    AdminService(AdminStore store, AnalyticsService analytics, OrganizationRepository organizations, AlertService alerts, BudgetRepository budgets, BudgetService budgetService,
                 PluginRegistry plugins, UsageQueries events, ViewerZones zones, TenantScope tenantScope, FxConverter fx, ReportConverter reports,
                 ReportingConfiguration reporting, Clock clock) {
        this.store = store;
        this.analytics = analytics;
        this.organizations = organizations;
        this.alerts = alerts;
        this.budgets = budgets;
        this.budgetService = budgetService;
        this.plugins = plugins;
        this.events = events;
        this.zones = zones;
        this.tenantScope = tenantScope;
        this.fx = fx;
        this.reports = reports;
        this.reportingCurrency = reporting.reportingCurrency();
        this.clock = clock;
    }

    /** A service and unit: the key of a {@link ServiceUsage} row. */
    private record ServiceKey(String service, String unit) implements Comparable<ServiceKey> {
        @Override
        public int compareTo(ServiceKey other) {
            return Comparator.comparing(ServiceKey::service).thenComparing(ServiceKey::unit).compare(this, other);
        }
    }

    @Transactional(readOnly = true)
    public AdminViews.Overview overview(Viewer viewer, @Nullable LocalDate month) {
        tenantScope.requirePlatformAdmin(viewer);
        YearMonth resolved = monthFor(viewer, month);
        List<AnalyticsService.Breakdown> customers = analytics.breakdowns(everyCustomer(resolved), Dimension.ALL);
        Totals all = new Totals();
        customers.forEach(customer -> all.add(customer.totals()));
        return new AdminViews.Overview(resolved.atDay(1), organizations.count(), reporting(all, resolved), all.requests(), all.errorRequests(),
                alerts.activeCount(viewer, null), asOf(customers));
    }

    /** A page of customers whose name contains the search text, in id order, each with its month. */
    @Transactional(readOnly = true)
    public Connection<CustomerMonth> summaries(Viewer viewer, @Nullable String search, int first, long afterId, boolean afterGiven, @Nullable LocalDate month) {
        tenantScope.requirePlatformAdmin(viewer);
        String pattern = OrganizationRepository.containsPattern(search);
        List<Organization> page = organizations.findByIdGreaterThanAndNameIlikeOrderById(afterId, pattern, Pageable.from(0, first + 1));
        return Connection.of(summarize(page, monthFor(viewer, month)), first, summary -> summary.customer().id(), afterGiven,
                organizations.countByNameIlike(pattern));
    }

    @Transactional(readOnly = true)
    public AdminViews.Breakdown breakdown(Viewer viewer, @Nullable LocalDate month) {
        tenantScope.requirePlatformAdmin(viewer);
        YearMonth resolved = monthFor(viewer, month);
        Map<String, Totals> byService = new TreeMap<>();
        List<AnalyticsService.Breakdown> customers = analytics.breakdowns(everyCustomer(resolved), Dimension.PROVIDER);
        customers.forEach(customer -> customer.groups().forEach(group -> byService.computeIfAbsent(group.key(), key -> new Totals()).add(group.totals())));
        return new AdminViews.Breakdown(resolved.atDay(1), services(byService, totals -> reporting(totals, resolved)), asOf(customers));
    }

    /**
     * Customers with priced usage in the month, by their cost in the reporting currency, dearest first (ties
     * by age). A customer whose cost no rate converts yet ranks by the part that converts, so it is listed,
     * with its {@code unconvertedCost} or {@code unconvertedRequests}, rather than dropped as costing nothing.
     */
    @Transactional(readOnly = true)
    public AdminViews.TopCustomers topCustomers(Viewer viewer, @Nullable LocalDate month, int first) {
        tenantScope.requirePlatformAdmin(viewer);
        if (first < 1 || first > Connection.MAX_FIRST) {
            throw MeterlineException.badInput("first must be between 1 and " + Connection.MAX_FIRST);
        }
        YearMonth resolved = monthFor(viewer, month);
        List<AnalyticsService.Span> spans = everyCustomer(resolved);
        List<AnalyticsService.Breakdown> customers = analytics.breakdowns(spans, Dimension.ALL);
        Map<Long, CostFigures> costs = new HashMap<>();
        for (int i = 0; i < spans.size(); i++) {
            CostFigures cost = reporting(customers.get(i).totals(), resolved);
            if (cost.originalCost().stream().anyMatch(amount -> amount.amount().signum() != 0)) {
                costs.put(spans.get(i).organizationId(), cost);
            }
        }
        List<Long> top = costs.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<Long, CostFigures> entry) -> entry.getValue().cost().amount()).reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(first).map(Map.Entry::getKey).toList();
        Map<Long, Organization> found = organizations.findByIdIn(top).stream().collect(Collectors.toMap(Organization::id, Function.identity()));
        List<Organization> ordered = top.stream().map(found::get).toList();
        return new AdminViews.TopCustomers(resolved.atDay(1), reportingCurrency, summarize(ordered, resolved), asOf(customers));
    }

    /** The latest calls of every customer, of one service or all, newest first. */
    public AdminViews.RecentActivity recent(Viewer viewer, @Nullable String service, int first) {
        tenantScope.requirePlatformAdmin(viewer);
        if (first < 1 || first > MAX_RECENT) {
            throw MeterlineException.badInput("first must be between 1 and " + MAX_RECENT);
        }
        List<String> providers;
        if (service != null) {
            if (plugins.find(service).isEmpty()) {
                throw MeterlineException.badInput("No provider " + service + " is installed");
            }
            providers = List.of(service);
        }
        else {
            providers = plugins.all().stream().map(ProviderPlugin::id).toList();
        }
        List<AdminViews.RecentCall> calls = events.latest(providers, first).stream()
                .map(event -> new AdminViews.RecentCall(event, usageOf(event), reportingCost(event))).toList();
        return new AdminViews.RecentActivity(calls, clock.instant());
    }

    /**
     * A customer's own view: the organization user's own (another organization's is NOT_FOUND), any
     * for platform admins. The current month, the months before it oldest first, every service zero
     * filled in every month, and the quota of each service with an organization budget.
     */
    @Transactional(readOnly = true)
    public AdminViews.CustomerView customerView(Viewer viewer, @Nullable String organizationId) {
        long id = tenantScope.organizationFor(viewer, organizationId);
        Organization customer = organizations.findById(id).orElseThrow(() -> MeterlineException.notFound(organizationId == null ? "Organization" : organizationId));
        ZoneId zone = customer.zone();
        YearMonth current = YearMonth.now(clock.withZone(zone));
        List<AnalyticsService.Span> spans = new ArrayList<>();
        for (int slot = 0; slot <= HISTORY_MONTHS; slot++) {
            spans.add(span(id, current.minusMonths(slot), zone));
        }
        List<AnalyticsService.Breakdown> breakdowns = analytics.breakdowns(spans, Dimension.PROVIDER);
        List<AdminViews.ServiceQuota> quotas = quotas(id);
        Set<ServiceKey> everyService = new TreeSet<>();
        List<CustomerMonth> months = new ArrayList<>();
        for (int slot = 0; slot <= HISTORY_MONTHS; slot++) {
            YearMonth each = current.minusMonths(slot);
            CustomerMonth month = customerMonth(customer, each, breakdowns.get(slot),
                    totals -> CostFigures.of(totals, reports, customer.billingCurrency(), each.atEndOfMonth()));
            month.services().forEach(service -> everyService.add(new ServiceKey(service.service(), service.unit())));
            months.add(month);
        }
        quotas.forEach(quota -> everyService.add(new ServiceKey(quota.service(), quota.unit())));
        List<CustomerMonth> filled = months.stream().map(month -> zeroFilled(month, everyService)).toList();
        List<CustomerMonth> history = new ArrayList<>(filled.subList(1, filled.size()));
        Collections.reverse(history);
        return new AdminViews.CustomerView(customer, zone.getId(), filled.get(0), history, quotas, asOf(breakdowns));
    }

    /** The roll the figures read are as of (the last one when there was nothing to read). */
    private Instant asOf(List<AnalyticsService.Breakdown> read) {
        return read.isEmpty() ? analytics.asOf() : read.get(0).asOf();
    }

    /** The organization's budgets on one provider's tokens or meter: the service quotas of seed 003, with their status and colour band. */
    private List<AdminViews.ServiceQuota> quotas(long organizationId) {
        List<Budget> quotaBudgets = budgets.findByOrganizationIdAndArchivedFalseOrderById(organizationId).stream()
                .filter(budget -> budget.scopeKind() == Budget.Scope.ORGANIZATION && budget.provider() != null
                        && (budget.metric() == Budget.Metric.TOKENS || budget.metric() == Budget.Metric.METER_UNITS))
                .toList();
        if (quotaBudgets.isEmpty()) {
            return List.of();
        }
        Map<Long, BudgetStatus> statuses = budgetService.statuses(quotaBudgets.stream().map(Budget::id).toList()).stream()
                .collect(Collectors.toMap(BudgetStatus::budgetId, Function.identity()));
        return quotaBudgets.stream().map(budget -> new AdminViews.ServiceQuota(budget.provider(),
                budget.metric() == Budget.Metric.TOKENS ? "token" : plugins.unitOf(budget.provider(), budget.meter()), budget, statuses.get(budget.id()))).toList();
    }

    /** Each customer's month, by provider: one read of the rollup for any number of customers. */
    private List<CustomerMonth> summarize(List<Organization> customers, YearMonth month) {
        List<AnalyticsService.Breakdown> breakdowns = analytics.breakdowns(customers.stream().map(customer -> span(customer.id(), month, customer.zone())).toList(),
                Dimension.PROVIDER);
        List<CustomerMonth> months = new ArrayList<>();
        for (int i = 0; i < customers.size(); i++) {
            months.add(customerMonth(customers.get(i), month, breakdowns.get(i), totals -> reporting(totals, month)));
        }
        return months;
    }

    /** A customer's month, its cost and each service's in the currency {@code costs} converts into. */
    private CustomerMonth customerMonth(Organization customer, YearMonth month, AnalyticsService.Breakdown byProvider, Function<Totals, CostFigures> costs) {
        Map<String, Totals> byService = new TreeMap<>();
        byProvider.groups().forEach(group -> byService.put(group.key(), group.totals()));
        return new CustomerMonth(customer, month.atDay(1), month.atEndOfMonth(), costs.apply(byProvider.totals()), byProvider.totals().requests(),
                byProvider.totals().errorRequests(), services(byService, costs));
    }

    /** Usage of a month across customers in the reporting currency, at the rate of the month's last day. */
    private CostFigures reporting(Totals totals, YearMonth month) {
        return CostFigures.of(totals, reports, reportingCurrency, month.atEndOfMonth());
    }

    /**
     * A call's cost in the reporting currency: its billing-currency figure converted at the rate of its own UTC
     * day, the day its billing figure was converted at; null while unpriced or unconverted, or no rate converts it.
     */
    private @Nullable Money reportingCost(UsageEventView event) {
        if (event.billingCost() == null || event.billingCurrency() == null) {
            return null;
        }
        return fx.convert(event.billingCost(), event.billingCurrency(), reportingCurrency, LocalDate.ofInstant(event.timestamp(), ZoneOffset.UTC))
                .map(Conversion::money).orElse(null);
    }

    /**
     * Rows per service and unit, in service then unit order: each unit the provider's plugin declares
     * that has a quantity (as {@code usageSummary} counts tokens, characters, minutes and images), or
     * the plugin's first unit when none has; each row with the provider's calls, the first with its cost.
     */
    private List<ServiceUsage> services(Map<String, Totals> byService, Function<Totals, CostFigures> costs) {
        List<ServiceUsage> rows = new ArrayList<>();
        byService.forEach((service, totals) -> {
            Map<String, BigDecimal> quantities = new TreeMap<>();
            for (String unit : new TreeSet<>(plugins.units(service).values())) {
                BigDecimal quantity = quantity(totals, unit);
                if (quantity.signum() != 0) {
                    quantities.put(unit, quantity);
                }
            }
            if (quantities.isEmpty()) {
                String unit = firstUnit(service);
                quantities.put(unit, quantity(totals, unit));
            }
            CostFigures cost = costs.apply(totals);
            boolean first = true;
            for (Map.Entry<String, BigDecimal> unit : quantities.entrySet()) {
                rows.add(new ServiceUsage(service, unit.getKey(), unit.getValue(), first ? cost : CostFigures.none(cost.cost().currencyCode()), totals.requests(),
                        totals.errorRequests()));
                first = false;
            }
        });
        return rows;
    }

    /** The rollup's measure of a unit: tokens, characters, minutes or images ({@link io.meterline.platform.pricing.MeterClass}); none for other units. */
    private static BigDecimal quantity(Totals totals, String unit) {
        return switch (unit) {
            case "token" -> totals.tokens();
            case "character" -> totals.characters();
            case "minute" -> totals.minutes();
            case "image" -> totals.images();
            default -> BigDecimal.ZERO;
        };
    }

    private String firstUnit(String service) {
        return plugins.units(service).values().stream().findFirst().orElse("unit");
    }

    private static CustomerMonth zeroFilled(CustomerMonth month, Set<ServiceKey> everyService) {
        Map<ServiceKey, ServiceUsage> present = new LinkedHashMap<>();
        month.services().forEach(service -> present.put(new ServiceKey(service.service(), service.unit()), service));
        CostFigures none = CostFigures.none(month.cost().currencyCode());
        List<ServiceUsage> services = everyService.stream().map(key -> present.getOrDefault(key,
                new ServiceUsage(key.service(), key.unit(), BigDecimal.ZERO, none, 0, 0))).toList();
        return new CustomerMonth(month.customer(), month.periodStart(), month.periodEnd(), month.cost(), month.originalCost(), month.unconvertedCost(),
                month.unconvertedRequests(), month.calls(), month.errorCalls(), services);
    }

    private List<AdminViews.UnitQuantity> usageOf(UsageEventView event) {
        Map<String, BigDecimal> byUnit = new TreeMap<>();
        for (StoredLine line : event.lines()) {
            byUnit.merge(plugins.unitOf(event.provider(), line.meter()), line.quantity(), BigDecimal::add);
        }
        return byUnit.entrySet().stream().map(entry -> new AdminViews.UnitQuantity(entry.getKey(), entry.getValue())).toList();
    }

    /** One month of every customer, each in its own zone. */
    private List<AnalyticsService.Span> everyCustomer(YearMonth month) {
        List<AnalyticsService.Span> spans = new ArrayList<>();
        store.organizationsByZone().forEach((zone, ids) -> ids.forEach(id -> spans.add(span(id, month, ZoneId.of(zone)))));
        return spans;
    }

    private static AnalyticsService.Span span(long organizationId, YearMonth month, ZoneId zone) {
        return new AnalyticsService.Span(organizationId, new DayRange(month.atDay(1), month.atEndOfMonth(), zone));
    }

    /** The month asked for, else the current month in the viewer's time zone. */
    private YearMonth monthFor(Viewer viewer, @Nullable LocalDate month) {
        return month != null ? YearMonth.from(month) : YearMonth.now(clock.withZone(zones.zoneFor(viewer.userId(), viewer.organizationId())));
    }
}
