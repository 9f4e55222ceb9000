package io.meterline.platform.admin;

import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.alert.AlertService;
import io.meterline.platform.budget.Budget;
import io.meterline.platform.budget.BudgetRepository;
import io.meterline.platform.budget.BudgetService;
import io.meterline.platform.budget.BudgetStatus;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.Money;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.profile.ProfileService;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.usage.DayRange;
import io.meterline.platform.usage.StoredLine;
import io.meterline.platform.usage.UsageEventView;
import io.meterline.platform.usage.UsageQueries;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.model.Pageable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
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
 * months in each customer's time zone; totals come from the 15-minute aggregates only.
 */
@Singleton
public class AdminService {

    /** The most calls recent activity shows. */
    static final int MAX_RECENT = 50;
    /** How many months before the current one a customer's history shows. */
    static final int HISTORY_MONTHS = 6;

    private final AdminStore store;
    private final OrganizationRepository organizations;
    private final AlertService alerts;
    private final BudgetRepository budgets;
    private final BudgetService budgetService;
    private final PluginRegistry plugins;
    private final UsageQueries events;
    private final ProfileService profiles;
    private final TenantScope tenantScope;
    private final Clock clock;

    AdminService(AdminStore store, OrganizationRepository organizations, AlertService alerts, BudgetRepository budgets, BudgetService budgetService,
                 PluginRegistry plugins, UsageQueries events, ProfileService profiles, TenantScope tenantScope, Clock clock) {
        this.store = store;
        this.organizations = organizations;
        this.alerts = alerts;
        this.budgets = budgets;
        this.budgetService = budgetService;
        this.plugins = plugins;
        this.events = events;
        this.profiles = profiles;
        this.tenantScope = tenantScope;
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
        List<AdminStore.Window> windows = everyCustomer(resolved);
        List<AdminStore.CallRow> calls = store.calls(windows, false);
        return new AdminViews.Overview(resolved.atDay(1), organizations.count(), cost(store.meters(windows, false)),
                calls.stream().mapToLong(AdminStore.CallRow::requests).sum(), calls.stream().mapToLong(AdminStore.CallRow::errors).sum(),
                alerts.activeCount(viewer, null), clock.instant());
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
        List<AdminStore.Window> windows = everyCustomer(resolved);
        return new AdminViews.Breakdown(resolved.atDay(1), services(store.calls(windows, false), store.meters(windows, false)), clock.instant());
    }

    /**
     * Customers by their month's cost in one currency, dearest first (ties by age). Amounts in
     * different currencies are never added up; without a currency, the one most customers were
     * charged in is used (ties alphabetically).
     */
    @Transactional(readOnly = true)
    public AdminViews.TopCustomers topCustomers(Viewer viewer, @Nullable LocalDate month, @Nullable String currency, int first) {
        tenantScope.requirePlatformAdmin(viewer);
        if (first < 1 || first > Connection.MAX_FIRST) {
            throw MeterlineException.badInput("first must be between 1 and " + Connection.MAX_FIRST);
        }
        YearMonth resolved = monthFor(viewer, month);
        Map<String, Map<Long, BigDecimal>> byCurrency = new TreeMap<>();
        store.meters(everyCustomer(resolved), true).stream().filter(row -> !row.currency().isEmpty())
                .forEach(row -> byCurrency.computeIfAbsent(row.currency(), key -> new HashMap<>()).merge(row.organizationId(), row.amount(), BigDecimal::add));
        String ranking = currency != null ? currency : byCurrency.entrySet().stream()
                .max(Comparator.<Map.Entry<String, Map<Long, BigDecimal>>>comparingInt(entry -> entry.getValue().size())
                        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                .map(Map.Entry::getKey).orElse(null);
        Map<Long, BigDecimal> amounts = byCurrency.getOrDefault(ranking, Map.of());
        List<Long> top = amounts.entrySet().stream().filter(entry -> entry.getValue().signum() > 0)
                .sorted(Map.Entry.<Long, BigDecimal>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(first).map(Map.Entry::getKey).toList();
        Map<Long, Organization> found = organizations.findByIdIn(top).stream().collect(Collectors.toMap(Organization::id, Function.identity()));
        List<Organization> ordered = top.stream().map(found::get).toList();
        return new AdminViews.TopCustomers(resolved.atDay(1), ranking, summarize(ordered, resolved), clock.instant());
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
        List<AdminViews.RecentCall> calls = events.latest(providers, first).stream().map(event -> new AdminViews.RecentCall(event, usageOf(event))).toList();
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
        List<AdminStore.Window> windows = new ArrayList<>();
        for (int slot = 0; slot <= HISTORY_MONTHS; slot++) {
            windows.add(window(slot, List.of(id), current.minusMonths(slot), zone));
        }
        List<AdminStore.CallRow> calls = store.calls(windows, false);
        List<AdminStore.MeterRow> meters = store.meters(windows, false);
        List<AdminViews.ServiceQuota> quotas = quotas(id);
        Set<ServiceKey> everyService = new TreeSet<>();
        List<CustomerMonth> months = new ArrayList<>();
        for (int slot = 0; slot <= HISTORY_MONTHS; slot++) {
            int at = slot;
            CustomerMonth month = customerMonth(customer, current.minusMonths(slot),
                    calls.stream().filter(row -> row.slot() == at).toList(), meters.stream().filter(row -> row.slot() == at).toList());
            month.services().forEach(service -> everyService.add(new ServiceKey(service.service(), service.unit())));
            months.add(month);
        }
        quotas.forEach(quota -> everyService.add(new ServiceKey(quota.service(), quota.unit())));
        List<CustomerMonth> filled = months.stream().map(month -> zeroFilled(month, everyService)).toList();
        List<CustomerMonth> history = new ArrayList<>(filled.subList(1, filled.size()));
        Collections.reverse(history);
        return new AdminViews.CustomerView(customer, zone.getId(), filled.get(0), history, quotas, clock.instant());
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

    /** Each customer's month, with two statements for any number of customers. */
    private List<CustomerMonth> summarize(List<Organization> customers, YearMonth month) {
        if (customers.isEmpty()) {
            return List.of();
        }
        List<AdminStore.Window> windows = customers.stream().collect(Collectors.groupingBy(Organization::timeZone, TreeMap::new,
                Collectors.mapping(Organization::id, Collectors.toList()))).entrySet().stream()
                .map(zone -> window(0, zone.getValue(), month, ZoneId.of(zone.getKey()))).toList();
        Map<Long, List<AdminStore.CallRow>> calls = store.calls(windows, true).stream().collect(Collectors.groupingBy(AdminStore.CallRow::organizationId));
        Map<Long, List<AdminStore.MeterRow>> meters = store.meters(windows, true).stream().collect(Collectors.groupingBy(AdminStore.MeterRow::organizationId));
        return customers.stream().map(customer -> customerMonth(customer, month, calls.getOrDefault(customer.id(), List.of()),
                meters.getOrDefault(customer.id(), List.of()))).toList();
    }

    private CustomerMonth customerMonth(Organization customer, YearMonth month, List<AdminStore.CallRow> calls, List<AdminStore.MeterRow> meters) {
        return new CustomerMonth(customer, month.atDay(1), month.atEndOfMonth(), cost(meters), calls.stream().mapToLong(AdminStore.CallRow::requests).sum(),
                calls.stream().mapToLong(AdminStore.CallRow::errors).sum(), services(calls, meters));
    }

    /** Rows per service and unit: each meter counts in the unit its plugin declares, as {@code usageSummary} counts tokens, characters, minutes and images. */
    private List<ServiceUsage> services(List<AdminStore.CallRow> calls, List<AdminStore.MeterRow> meters) {
        Map<String, long[]> callsByService = new TreeMap<>();
        calls.forEach(row -> {
            long[] totals = callsByService.computeIfAbsent(row.provider(), key -> new long[2]);
            totals[0] += row.requests();
            totals[1] += row.errors();
        });
        Map<ServiceKey, List<AdminStore.MeterRow>> byKey = new TreeMap<>();
        meters.forEach(row -> byKey.computeIfAbsent(new ServiceKey(row.provider(), plugins.unitOf(row.provider(), row.meter())), key -> new ArrayList<>()).add(row));
        callsByService.keySet().stream().filter(service -> byKey.keySet().stream().noneMatch(key -> key.service().equals(service)))
                .forEach(service -> byKey.put(new ServiceKey(service, firstUnit(service)), List.of()));
        List<ServiceUsage> rows = new ArrayList<>();
        byKey.forEach((key, rowsOfKey) -> {
            long[] totals = callsByService.getOrDefault(key.service(), new long[2]);
            rows.add(new ServiceUsage(key.service(), key.unit(), rowsOfKey.stream().map(AdminStore.MeterRow::quantity).reduce(BigDecimal.ZERO, BigDecimal::add),
                    cost(rowsOfKey), totals[0], totals[1]));
        });
        return rows;
    }

    private String firstUnit(String service) {
        return plugins.units(service).values().stream().findFirst().orElse("unit");
    }

    private static CustomerMonth zeroFilled(CustomerMonth month, Set<ServiceKey> everyService) {
        Map<ServiceKey, ServiceUsage> present = new LinkedHashMap<>();
        month.services().forEach(service -> present.put(new ServiceKey(service.service(), service.unit()), service));
        List<ServiceUsage> services = everyService.stream().map(key -> present.getOrDefault(key,
                new ServiceUsage(key.service(), key.unit(), BigDecimal.ZERO, List.of(), 0, 0))).toList();
        return new CustomerMonth(month.customer(), month.periodStart(), month.periodEnd(), month.cost(), month.calls(), month.errorCalls(), services);
    }

    /** Priced amounts per currency; unpriced quantities (empty currency) cost nothing yet. */
    private static List<Money> cost(List<AdminStore.MeterRow> rows) {
        Map<String, BigDecimal> byCurrency = new TreeMap<>();
        rows.stream().filter(row -> !row.currency().isEmpty()).forEach(row -> byCurrency.merge(row.currency(), row.amount(), BigDecimal::add));
        return byCurrency.entrySet().stream().map(entry -> new Money(Money.round(entry.getValue()), entry.getKey())).toList();
    }

    private List<AdminViews.UnitQuantity> usageOf(UsageEventView event) {
        Map<String, BigDecimal> byUnit = new TreeMap<>();
        for (StoredLine line : event.lines()) {
            byUnit.merge(plugins.unitOf(event.provider(), line.meter()), line.quantity(), BigDecimal::add);
        }
        return byUnit.entrySet().stream().map(entry -> new AdminViews.UnitQuantity(entry.getKey(), entry.getValue())).toList();
    }

    /** One month of every customer: a window per time zone customers are in. */
    private List<AdminStore.Window> everyCustomer(YearMonth month) {
        return store.organizationsByZone().entrySet().stream().map(zone -> window(0, zone.getValue(), month, ZoneId.of(zone.getKey()))).toList();
    }

    private static AdminStore.Window window(int slot, List<Long> organizationIds, YearMonth month, ZoneId zone) {
        DayRange days = new DayRange(month.atDay(1), month.atEndOfMonth(), zone);
        return new AdminStore.Window(slot, organizationIds, days.start(), days.end());
    }

    /** The month asked for, else the current month in the viewer's time zone. */
    private YearMonth monthFor(Viewer viewer, @Nullable LocalDate month) {
        return month != null ? YearMonth.from(month) : YearMonth.now(clock.withZone(profiles.viewerZone(viewer)));
    }
}
