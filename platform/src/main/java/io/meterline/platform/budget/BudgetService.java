package io.meterline.platform.budget;

import io.meterline.platform.account.ApiKey;
import io.meterline.platform.account.ApiKeyRepository;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Budgets: creation and changes with validation before any write, listing, status and colour bands. */
@Singleton
public class BudgetService {

    /** Seed 002's bands, used until an organization sets its own. */
    static final List<BudgetStore.Band> DEFAULT_BANDS = List.of(new BudgetStore.Band("green", 0), new BudgetStore.Band("yellow", 70),
            new BudgetStore.Band("red", 90));
    static final List<Integer> DEFAULT_THRESHOLDS = List.of(80);
    private static final int MAX_BANDS = 10;
    private static final int MAX_THRESHOLDS = 10;

    private final BudgetRepository budgets;
    private final BudgetStore store;
    private final ReservationBook book;
    private final BudgetMeasure measure;
    private final OrganizationRepository organizations;
    private final ApiKeyRepository apiKeys;
    private final TenantScope tenantScope;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;

    public BudgetService(BudgetRepository budgets, BudgetStore store, ReservationBook book, BudgetMeasure measure, OrganizationRepository organizations, ApiKeyRepository apiKeys,
                         TenantScope tenantScope, TransactionOperations<Connection> transactions, Clock clock) {
        this.budgets = budgets;
        this.store = store;
        this.book = book;
        this.measure = measure;
        this.organizations = organizations;
        this.apiKeys = apiKeys;
        this.tenantScope = tenantScope;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** What a new budget needs; null means the default. */
    public record NewBudget(@Nullable String organizationId, @Nullable String name, Budget.Metric metric, @Nullable String provider, @Nullable String meter,
                            @Nullable Budget.Scope scope, @Nullable String scopeKey, Budget.Period period, @Nullable BigDecimal limit,
                            @Nullable List<Integer> thresholds, @Nullable Budget.Enforcement enforcement, @Nullable Budget.Type type,
                            @Nullable String currency) {
    }

    /** A change to a budget; null leaves a field as it is. */
    public record BudgetChange(String id, @Nullable String name, @Nullable BigDecimal limit, boolean unlimited, @Nullable List<Integer> thresholds,
                               @Nullable Budget.Enforcement enforcement) {
    }

    public Budget create(Viewer viewer, NewBudget input) {
        long organizationId = tenantScope.organizationToManage(viewer, input.organizationId());
        Organization organization = organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound(input.organizationId()));
        List<UserError> errors = new ArrayList<>();
        String name = validName(input.name(), errors);
        validateLimit(input.metric(), input.limit(), errors);
        List<Integer> thresholds = input.thresholds() == null ? DEFAULT_THRESHOLDS : input.thresholds();
        validateThresholds(thresholds, errors);
        Budget.Scope scope = input.scope() == null ? Budget.Scope.ORGANIZATION : input.scope();
        String scopeKey = scopeKey(scope, input.scopeKey(), organizationId, errors);
        validateMetric(input.metric(), input.provider(), input.meter(), errors);
        String currency = null;
        if (input.metric() == Budget.Metric.COST) {
            currency = input.currency() == null ? organization.billingCurrency() : input.currency();
            try {
                currency = Currency.getInstance(currency).getCurrencyCode();
                // One currency per organization: a budget counts what the balance, the dashboards and the alerts show. A budget
                // kept from a former billing currency still counts, its usage converted (BudgetMeasure).
                if (!currency.equals(organization.billingCurrency())) {
                    errors.add(UserError.of("currency", BudgetErrorCode.CURRENCY_MISMATCH, "A cost budget counts in the organization's billing currency, "
                            + organization.billingCurrency() + "; leave the currency out or give " + organization.billingCurrency()));
                }
            }
            catch (IllegalArgumentException e) {
                errors.add(UserError.of("currency", BudgetErrorCode.INVALID, currency + " is not an ISO 4217 currency"));
            }
        }
        else if (input.currency() != null) {
            errors.add(UserError.of("currency", BudgetErrorCode.INVALID, "Only COST budgets have a currency"));
        }
        UserInputException.throwIfAny(errors);
        return changed(budgets.save(new Budget(null, organizationId, name, input.metric(), blankToNull(input.provider()), blankToNull(input.meter()), scope,
                scopeKey, input.period(), input.limit(), Budget.thresholdText(thresholds),
                input.enforcement() == null ? Budget.Enforcement.SOFT : input.enforcement(),
                input.type() == null ? Budget.Type.SUBSCRIPTION : input.type(), currency, false, clock.instant())));
    }

    public Budget update(Viewer viewer, BudgetChange change) {
        Budget budget = find(viewer, change.id());
        tenantScope.requireManager(viewer);
        List<UserError> errors = new ArrayList<>();
        String name = change.name() == null ? budget.name() : validName(change.name(), errors);
        BigDecimal limit = change.unlimited() ? null : change.limit() == null ? budget.limitAmount() : change.limit();
        if (change.unlimited() && change.limit() != null) {
            errors.add(UserError.of("limit", BudgetErrorCode.INVALID, "Give a limit or unlimited, not both"));
        }
        validateLimit(budget.metric(), limit, errors);
        List<Integer> thresholds = change.thresholds() == null ? budget.thresholdList() : change.thresholds();
        validateThresholds(thresholds, errors);
        if (budget.archived()) {
            errors.add(UserError.of("id", BudgetErrorCode.INVALID_STATE, "The budget is archived"));
        }
        UserInputException.throwIfAny(errors);
        return changed(budgets.update(budget.withChanges(name, limit, Budget.thresholdText(thresholds),
                change.enforcement() == null ? budget.enforcement() : change.enforcement())));
    }

    public Budget archive(Viewer viewer, String id) {
        Budget budget = find(viewer, id);
        tenantScope.requireManager(viewer);
        if (budget.archived()) {
            throw new UserInputException(UserError.of("id", BudgetErrorCode.INVALID_STATE, "The budget is already archived"));
        }
        return changed(budgets.update(budget.archivedCopy()));
    }

    /** A stored change, told to the reservation book so that every instance decides with it from now on. */
    private Budget changed(Budget budget) {
        book.budgetsChanged(budget.organizationId());
        return budget;
    }

    /** A budget the viewer may see, or NOT_FOUND. */
    public Budget find(Viewer viewer, String id) {
        Budget budget = budgets.findById(GlobalId.require(id, Budget.TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, Owner.organization(budget.organizationId()), id);
        return budget;
    }

    public List<Budget> page(long organizationId, long afterId, boolean includeArchived, @Nullable Budget.Scope scope, int limit) {
        return budgets.page(organizationId, afterId, includeArchived, scope == null ? null : scope.name(), limit);
    }

    public long count(long organizationId, boolean includeArchived, @Nullable Budget.Scope scope) {
        return budgets.count(organizationId, includeArchived, scope == null ? null : scope.name());
    }

    /** The current status of budgets, with a few queries for any number of them. */
    public List<BudgetStatus> statuses(Collection<Long> budgetIds) {
        List<Budget> found = budgets.findByIdIn(budgetIds);
        Instant now = clock.instant();
        return transactions.executeRead(status -> {
            try {
                Connection connection = status.getConnection();
                Map<Long, ZoneId> zones = new HashMap<>();
                Map<Long, List<BudgetStore.Band>> bands = new HashMap<>();
                Map<Long, BudgetStore.CounterKey> keys = new HashMap<>();
                Map<BudgetStore.CounterKey, Budget> periods = new HashMap<>();
                Map<Long, BudgetPeriods.Window> windows = new HashMap<>();
                for (Budget budget : found) {
                    ZoneId zone = zones.computeIfAbsent(budget.organizationId(), organizationId -> zoneOf(connection, organizationId));
                    bands.computeIfAbsent(budget.organizationId(), organizationId -> bandsOf(connection, organizationId));
                    BudgetPeriods.Window window = BudgetPeriods.of(budget, now, zone);
                    windows.put(budget.id(), window);
                    keys.put(budget.id(), new BudgetStore.CounterKey(budget.id(), window.start()));
                    periods.put(keys.get(budget.id()), budget);
                }
                Map<BudgetStore.CounterKey, BigDecimal> consumed = store.consumed(connection, keys.values(), false);
                Map<BudgetStore.CounterKey, BigDecimal> reserved = book.reserved(connection, periods, now);
                List<BudgetStatus> result = new ArrayList<>();
                for (Budget budget : found) {
                    BudgetStore.CounterKey key = keys.get(budget.id());
                    result.add(BudgetStatus.of(budget, windows.get(budget.id()), consumed.getOrDefault(key, BudgetStatus.ZERO),
                            reserved.getOrDefault(key, BudgetStatus.ZERO), bands.get(budget.organizationId())));
                }
                return result;
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading budget status failed", e);
            }
        });
    }

    /** Budget against actual: the current period and up to {@code periods - 1} before it, newest first, each with what it consumed. */
    public record PeriodActual(Instant start, @Nullable Instant end, @Nullable BigDecimal limit, BigDecimal consumed) {
    }

    public static final int MAX_HISTORY = 36;

    public List<PeriodActual> history(Budget budget, int periods) {
        if (periods < 1 || periods > MAX_HISTORY) {
            throw MeterlineException.badInput("periods must be between 1 and " + MAX_HISTORY);
        }
        return transactions.executeRead(status -> {
            try {
                Connection connection = status.getConnection();
                ZoneId zone = zoneOf(connection, budget.organizationId());
                List<BudgetPeriods.Window> windows = new ArrayList<>();
                BudgetPeriods.Window window = BudgetPeriods.of(budget, clock.instant(), zone);
                windows.add(window);
                // A TOTAL budget has one period; others step back one period at a time, not before the budget existed.
                while (windows.size() < periods && window.end() != null && window.start().isAfter(budget.createdAt())) {
                    window = BudgetPeriods.of(budget, window.start().minusNanos(1), zone);
                    windows.add(window);
                }
                Map<BudgetStore.CounterKey, BigDecimal> consumed = store.consumed(connection,
                        windows.stream().map(each -> new BudgetStore.CounterKey(budget.id(), each.start())).toList(), false);
                return windows.stream().map(each -> new PeriodActual(each.start(), each.end(), budget.limitAmount(),
                        consumed.getOrDefault(new BudgetStore.CounterKey(budget.id(), each.start()), BudgetStatus.ZERO))).toList();
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading budget history failed", e);
            }
        });
    }

    public List<BudgetStore.Band> bands(Viewer viewer, @Nullable String organizationId) {
        long id = tenantScope.organizationFor(viewer, organizationId);
        return transactions.executeRead(status -> bandsOf(status.getConnection(), id));
    }

    public List<BudgetStore.Band> updateBands(Viewer viewer, @Nullable String organizationId, List<BudgetStore.Band> bands) {
        long id = tenantScope.organizationToManage(viewer, organizationId);
        List<UserError> errors = new ArrayList<>();
        if (bands.isEmpty() || bands.size() > MAX_BANDS) {
            errors.add(UserError.of("bands", BudgetErrorCode.LENGTH, "Give 1 to " + MAX_BANDS + " bands"));
        }
        else if (bands.get(0).fromPercent() != 0) {
            errors.add(UserError.of("bands", BudgetErrorCode.INVALID, "The first band starts at 0 percent"));
        }
        for (int i = 0; i < bands.size(); i++) {
            BudgetStore.Band band = bands.get(i);
            if (band.name() == null || band.name().isBlank() || band.name().length() > 40) {
                errors.add(new UserError(List.of("input", "bands", String.valueOf(i), "name"), "Band names are 1 to 40 characters", BudgetErrorCode.BLANK));
            }
            if (band.fromPercent() < 0 || (i > 0 && band.fromPercent() <= bands.get(i - 1).fromPercent())) {
                errors.add(new UserError(List.of("input", "bands", String.valueOf(i), "fromPercent"), "Bands start at strictly ascending percents from 0", BudgetErrorCode.OUT_OF_RANGE));
            }
        }
        UserInputException.throwIfAny(errors);
        List<BudgetStore.Band> trimmed = bands.stream().map(band -> new BudgetStore.Band(band.name().trim(), band.fromPercent())).toList();
        return transactions.executeWrite(status -> {
            try {
                store.replaceBands(status.getConnection(), id, trimmed);
                return trimmed;
            }
            catch (SQLException e) {
                throw new IllegalStateException("Storing bands failed", e);
            }
        });
    }

    private ZoneId zoneOf(Connection connection, long organizationId) {
        try {
            String zone = store.timeZone(connection, organizationId);
            return zone == null ? ZoneId.of("UTC") : ZoneId.of(zone);
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    List<BudgetStore.Band> bandsOf(Connection connection, long organizationId) {
        try {
            List<BudgetStore.Band> stored = store.bands(connection, organizationId);
            return stored.isEmpty() ? DEFAULT_BANDS : stored;
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String validName(@Nullable String name, List<UserError> errors) {
        String trimmed = name == null ? "" : name.trim();
        if (trimmed.isEmpty()) {
            errors.add(UserError.of("name", BudgetErrorCode.BLANK, "Name can't be blank"));
        }
        else if (trimmed.length() > 200) {
            errors.add(UserError.of("name", BudgetErrorCode.LENGTH, "Name is longer than 200 characters"));
        }
        return trimmed;
    }

    private static void validateLimit(@Nullable Budget.Metric metric, @Nullable BigDecimal limit, List<UserError> errors) {
        if (limit != null && limit.signum() <= 0) {
            errors.add(UserError.of("limit", BudgetErrorCode.OUT_OF_RANGE, "A limit must be positive; leave it out for unlimited"));
        }
        else if (limit != null && limit.stripTrailingZeros().scale() > 9) {
            errors.add(UserError.of("limit", BudgetErrorCode.OUT_OF_RANGE, "A limit has at most 9 decimals"));
        }
        else if (limit != null && metric != null && limit.compareTo(metric.maxLimit()) > 0) {
            errors.add(UserError.of("limit", BudgetErrorCode.OUT_OF_RANGE, "A " + metric + " limit is at most " + metric.maxLimit().toPlainString()));
        }
    }

    private static void validateThresholds(List<Integer> thresholds, List<UserError> errors) {
        if (thresholds.size() > MAX_THRESHOLDS) {
            errors.add(UserError.of("thresholds", BudgetErrorCode.LENGTH, "At most " + MAX_THRESHOLDS + " thresholds"));
            return;
        }
        for (int i = 0; i < thresholds.size(); i++) {
            int value = thresholds.get(i);
            if (value < 1 || value > 100) {
                errors.add(UserError.of("thresholds", BudgetErrorCode.OUT_OF_RANGE, "Thresholds are percents from 1 to 100"));
                return;
            }
            if (i > 0 && value <= thresholds.get(i - 1)) {
                errors.add(UserError.of("thresholds", BudgetErrorCode.INVALID, "Thresholds must be strictly ascending"));
                return;
            }
        }
    }

    @Nullable
    private String scopeKey(Budget.Scope scope, @Nullable String key, long organizationId, List<UserError> errors) {
        String trimmed = key == null ? null : key.trim();
        if (scope == Budget.Scope.ORGANIZATION) {
            if (trimmed != null && !trimmed.isEmpty()) {
                errors.add(UserError.of("scopeKey", BudgetErrorCode.INVALID, "An ORGANIZATION budget has no scope key"));
            }
            return null;
        }
        if (trimmed == null || trimmed.isEmpty()) {
            errors.add(UserError.of("scopeKey", BudgetErrorCode.BLANK, "A " + scope + " budget needs a scope key"));
            return null;
        }
        if (scope == Budget.Scope.API_KEY) {
            Optional<ApiKey> apiKey = GlobalId.decode(trimmed).filter(id -> id.type().equals(ApiKeyService.TYPE))
                    .flatMap(id -> apiKeys.findById(id.id())).filter(found -> found.organizationId() == organizationId);
            if (apiKey.isEmpty()) {
                errors.add(UserError.of("scopeKey", BudgetErrorCode.NOT_FOUND, "No API key " + trimmed + " in this organization"));
                return null;
            }
            return String.valueOf(apiKey.get().id());
        }
        if (trimmed.length() > 128) {
            errors.add(UserError.of("scopeKey", BudgetErrorCode.LENGTH, "A scope key is at most 128 characters, like the dimension it names"));
        }
        return trimmed;
    }

    private void validateMetric(Budget.Metric metric, @Nullable String provider, @Nullable String meter, List<UserError> errors) {
        String providerId = blankToNull(provider);
        String meterKey = blankToNull(meter);
        if (providerId != null && !measure.providerExists(providerId)) {
            errors.add(UserError.of("provider", BudgetErrorCode.NOT_FOUND, "No provider " + providerId + " is installed"));
            return;
        }
        if (metric == Budget.Metric.METER_UNITS) {
            if (providerId == null || meterKey == null) {
                errors.add(UserError.of(providerId == null ? "provider" : "meter", BudgetErrorCode.BLANK, "A METER_UNITS budget names a provider and one of its meters"));
            }
            else if (measure.unitOf(providerId, meterKey).isEmpty()) {
                errors.add(UserError.of("meter", BudgetErrorCode.NOT_FOUND, "Provider " + providerId + " has no meter " + meterKey));
            }
        }
        else if (meterKey != null) {
            errors.add(UserError.of("meter", BudgetErrorCode.INVALID, "Only METER_UNITS budgets name a meter"));
        }
    }

    @Nullable
    private static String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
