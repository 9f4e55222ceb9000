package io.meterline.platform.allocation;

import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.analytics.Dimension;
import io.meterline.platform.common.ControlCharacters;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.LargestRemainder;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.common.jdbc.SqlStates;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.usage.BillingFigures;
import io.meterline.platform.time.DayRange;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Cost centers, allocation rules and the cost-allocation report. Organization members read them; organization
 * admins change them. Every input is checked in full before anything is written; another organization's cost
 * centers and rules read as not found.
 */
@Singleton
public class AllocationService {

    static final int MAX_CODE = 32;
    static final int MAX_NAME = 200;
    /** The usage dimension columns' width. */
    static final int MAX_VALUE = 128;
    static final int MAX_SPLITS = 50;
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9._-]+");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final AllocationStore store;
    private final AnalyticsService analytics;
    private final BillingFigures figures;
    private final TenantScope tenantScope;
    private final Clock clock;

    AllocationService(AllocationStore store, AnalyticsService analytics, BillingFigures figures, TenantScope tenantScope, Clock clock) {
        this.store = store;
        this.analytics = analytics;
        this.figures = figures;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    /** {@code costCenterCreate}'s input, read once at the GraphQL boundary. */
    record CostCenterCreateInput(@Nullable String organizationId, @Nullable String code, @Nullable String name) {
    }

    /** {@code costCenterUpdate}'s input: a null code or name stays as it is. */
    record CostCenterUpdateInput(String id, @Nullable String code, @Nullable String name) {
    }

    /** {@code allocationRuleSet}'s input. */
    record RuleSetInput(@Nullable String organizationId, AllocationDimension dimension, @Nullable String value, List<SplitInput> splits) {
    }

    /** One share of {@link RuleSetInput}. */
    record SplitInput(@Nullable String costCenterId, @Nullable BigDecimal percent) {
    }

    public CostCenter create(Viewer viewer, CostCenterCreateInput input) {
        long organizationId = tenantScope.organizationToManage(viewer, input.organizationId());
        List<UserError> errors = new ArrayList<>();
        String code = validCode(input.code(), organizationId, 0, errors);
        String name = validName(input.name(), errors);
        UserInputException.throwIfAny(errors);
        try {
            return store.insert(organizationId, code, name, clock.instant());
        }
        catch (RuntimeException e) {
            throw duplicateCode(e, code);
        }
    }

    public CostCenter update(Viewer viewer, CostCenterUpdateInput input) {
        CostCenter costCenter = costCenterToManage(viewer, input.id());
        List<UserError> errors = new ArrayList<>();
        String code = input.code() == null ? costCenter.code() : validCode(input.code(), costCenter.organizationId(), costCenter.id(), errors);
        String name = input.name() == null ? costCenter.name() : validName(input.name(), errors);
        UserInputException.throwIfAny(errors);
        try {
            return store.update(new CostCenter(costCenter.id(), costCenter.organizationId(), code, name, costCenter.archived(), costCenter.createdAt(),
                    clock.instant()));
        }
        catch (RuntimeException e) {
            throw duplicateCode(e, code);
        }
    }

    /** Archives a cost center: the rules sharing to it keep doing so (history stays whole); new shares cannot name it. */
    public CostCenter archive(Viewer viewer, String id) {
        CostCenter costCenter = costCenterToManage(viewer, id);
        if (costCenter.archived()) {
            throw new UserInputException(UserError.of("id", AllocationErrorCode.INVALID_STATE, "The cost center " + costCenter.code() + " is already archived"));
        }
        return store.update(new CostCenter(costCenter.id(), costCenter.organizationId(), costCenter.code(), costCenter.name(), true, costCenter.createdAt(),
                clock.instant()));
    }

    /** Sets the rule of one dimension value, replacing its splits when it has one. */
    public AllocationRule setRule(Viewer viewer, RuleSetInput input) {
        long organizationId = tenantScope.organizationToManage(viewer, input.organizationId());
        List<UserError> errors = new ArrayList<>();
        String value = input.value() == null ? "" : input.value().trim();
        if (value.isEmpty()) {
            errors.add(UserError.of("value", AllocationErrorCode.BLANK, "A value can't be blank: it is the " + input.dimension() + " usage names"));
        }
        else if (value.length() > MAX_VALUE) {
            errors.add(UserError.of("value", AllocationErrorCode.LENGTH, "A value is at most " + MAX_VALUE + " characters, like the dimension it matches"));
        }
        else if (ControlCharacters.presentIn(value)) {
            errors.add(UserError.of("value", AllocationErrorCode.INVALID, "A value has no control characters"));
        }
        List<AllocationStore.NewSplit> splits = validSplits(organizationId, input.splits(), errors);
        UserInputException.throwIfAny(errors);
        long id = store.setRule(organizationId, input.dimension(), value, splits, clock.instant());
        return store.rule(id).orElseThrow();
    }

    /** Deletes a rule: its usage goes by the next rule in precedence, or to the unallocated bucket. Answers the rule as it was. */
    public AllocationRule deleteRule(Viewer viewer, String id) {
        AllocationRule rule = rule(viewer, id);
        tenantScope.requireManager(viewer);
        store.deleteRule(rule.id());
        return rule;
    }

    public CostCenter costCenter(Viewer viewer, String id) {
        CostCenter costCenter = store.costCenter(GlobalId.require(id, CostCenter.TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, Owner.organization(costCenter.organizationId()), id);
        return costCenter;
    }

    public AllocationRule rule(Viewer viewer, String id) {
        AllocationRule rule = store.rule(GlobalId.require(id, AllocationRule.TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, Owner.organization(rule.organizationId()), id);
        return rule;
    }

    List<CostCenter> costCenters(long organizationId, long afterId, boolean includeArchived, int limit) {
        return store.costCenters(organizationId, afterId, includeArchived, limit);
    }

    long countCostCenters(long organizationId, boolean includeArchived) {
        return store.countCostCenters(organizationId, includeArchived);
    }

    List<AllocationRule> rules(long organizationId, long afterId, int limit) {
        return store.rules(organizationId, afterId, limit);
    }

    long countRules(long organizationId) {
        return store.countRules(organizationId);
    }

    /**
     * A report line: a cost center's share of the range's usage, or the unallocated bucket's ({@code costCenter} null),
     * or the total (both null).
     *
     * @param cost in the billing currency, rounded to its minor unit
     * @param originalCost per priced currency, each rounded to its minor unit
     * @param tokens rounded to the total's own decimals (whole tokens when the total is whole)
     * @param requests calls; a call split between cost centers is counted in whole calls by largest remainder
     */
    public record Line(@Nullable CostCenter costCenter, BigDecimal cost, Map<String, BigDecimal> originalCost, BigDecimal tokens, long requests) {
    }

    /** The report: every active cost center (archived ones that received usage in the range too), by code, then the unallocated bucket and the total. */
    public record CostAllocation(DayRange days, String currency, List<Line> costCenters, Line unallocated, Line total, Instant asOf) {
    }

    /**
     * Allocates the range's usage, read from the rollups by the four allocation dimensions together: each combination goes
     * by the rule of its first dimension in {@link AllocationDimension} order that has one, else to the unallocated bucket.
     * Each line adds up the exact shares, and one largest-remainder rounding per column makes the lines add up exactly to
     * the total (the range's usage total rounded once).
     */
    public CostAllocation report(long organizationId, DayRange days) {
        AnalyticsService.Breakdown breakdown = analytics.breakdown(organizationId, days, Dimension.ALLOCATION);
        BillingFigures.In figure = figures.current(organizationId, days.to());
        List<CostCenter> costCenters = store.allCostCenters(organizationId);
        Map<Long, Integer> lineOf = new HashMap<>();
        for (int i = 0; i < costCenters.size(); i++) {
            lineOf.put(costCenters.get(i).id(), i);
        }
        int unallocated = costCenters.size();
        Map<AllocationDimension, Map<String, AllocationRule>> rules = new EnumMap<>(AllocationDimension.class);
        for (AllocationRule rule : store.allRules(organizationId)) {
            rules.computeIfAbsent(rule.dimension(), dimension -> new HashMap<>()).put(rule.value().toLowerCase(Locale.ROOT), rule);
        }
        Exact exact = new Exact(unallocated + 1);
        for (AnalyticsService.Group group : breakdown.groups()) {
            BigDecimal cost = figure.amount(group.totals().billingCost());
            Optional<AllocationRule> rule = ruleFor(Dimension.allocationValues(group.key()), rules);
            if (rule.isEmpty()) {
                exact.add(unallocated, BigDecimal.ONE, cost, group);
            }
            else {
                for (AllocationRule.Split split : rule.get().splits()) {
                    exact.add(lineOf.get(split.costCenter().id()), split.percent().divide(HUNDRED), cost, group);
                }
            }
        }
        List<BigDecimal> cost = LargestRemainder.round(exact.cost, LargestRemainder.minorDigits(figure.currency()));
        List<BigDecimal> tokens = LargestRemainder.round(exact.tokens, Math.max(0, breakdown.totals().tokens().stripTrailingZeros().scale()));
        List<BigDecimal> requests = LargestRemainder.round(exact.requests, 0);
        Map<String, List<BigDecimal>> original = new TreeMap<>();
        exact.original.forEach((currency, amounts) -> original.put(currency, LargestRemainder.round(amounts, LargestRemainder.minorDigits(currency))));
        Function<Integer, Line> line = index -> new Line(index < unallocated ? costCenters.get(index) : null, cost.get(index),
                originalOf(original, index), tokens.get(index), requests.get(index).longValueExact());
        List<Line> lines = IntStream.range(0, unallocated).filter(index -> !costCenters.get(index).archived() || exact.touched[index]).mapToObj(line::apply).toList();
        Map<String, BigDecimal> originalTotal = new TreeMap<>();
        original.forEach((currency, amounts) -> originalTotal.put(currency, amounts.stream().reduce(BigDecimal.ZERO, BigDecimal::add)));
        Line total = new Line(null, sum(cost), originalTotal, sum(tokens), sum(requests).longValueExact());
        return new CostAllocation(days, figure.currency(), lines, line.apply(unallocated), total, breakdown.asOf());
    }

    /** The rule usage with these allocation values goes by: the first dimension's, in precedence order, that has one. */
    private static Optional<AllocationRule> ruleFor(List<String> values, Map<AllocationDimension, Map<String, AllocationRule>> rules) {
        for (AllocationDimension dimension : AllocationDimension.values()) {
            String value = dimension.valueIn(values);
            AllocationRule rule = value.isEmpty() ? null : rules.getOrDefault(dimension, Map.of()).get(value.toLowerCase(Locale.ROOT));
            if (rule != null) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    /** The lines' exact shares, before rounding: line i is cost center i, the last the unallocated bucket. */
    private static final class Exact {
        final List<BigDecimal> cost = new ArrayList<>();
        final List<BigDecimal> tokens = new ArrayList<>();
        final List<BigDecimal> requests = new ArrayList<>();
        final Map<String, List<BigDecimal>> original = new TreeMap<>();
        final boolean[] touched;
        private final int size;

        Exact(int size) {
            this.size = size;
            this.touched = new boolean[size];
            for (int i = 0; i < size; i++) {
                cost.add(BigDecimal.ZERO);
                tokens.add(BigDecimal.ZERO);
                requests.add(BigDecimal.ZERO);
            }
        }

        /** Adds {@code fraction} (exact: a percent has 2 decimals) of a group's usage to a line. */
        void add(int index, BigDecimal fraction, BigDecimal groupCost, AnalyticsService.Group group) {
            touched[index] = true;
            cost.set(index, cost.get(index).add(groupCost.multiply(fraction)));
            tokens.set(index, tokens.get(index).add(group.totals().tokens().multiply(fraction)));
            requests.set(index, requests.get(index).add(BigDecimal.valueOf(group.totals().requests()).multiply(fraction)));
            group.totals().cost().forEach((currency, amount) -> {
                List<BigDecimal> amounts = original.computeIfAbsent(currency, ignored -> new ArrayList<>(java.util.Collections.nCopies(size, BigDecimal.ZERO)));
                amounts.set(index, amounts.get(index).add(amount.multiply(fraction)));
            });
        }
    }

    private static Map<String, BigDecimal> originalOf(Map<String, List<BigDecimal>> original, int index) {
        Map<String, BigDecimal> amounts = new TreeMap<>();
        original.forEach((currency, rounded) -> {
            if (rounded.get(index).signum() != 0) {
                amounts.put(currency, rounded.get(index));
            }
        });
        return amounts;
    }

    private static BigDecimal sum(List<BigDecimal> amounts) {
        return amounts.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private CostCenter costCenterToManage(Viewer viewer, String id) {
        CostCenter costCenter = costCenter(viewer, id);
        tenantScope.requireManager(viewer);
        return costCenter;
    }

    private String validCode(@Nullable String code, long organizationId, long exceptId, List<UserError> errors) {
        String trimmed = code == null ? "" : code.trim();
        if (trimmed.isEmpty()) {
            errors.add(UserError.of("code", AllocationErrorCode.BLANK, "A code can't be blank"));
        }
        else if (trimmed.length() > MAX_CODE) {
            errors.add(UserError.of("code", AllocationErrorCode.LENGTH, "A code is at most " + MAX_CODE + " characters"));
        }
        else if (!CODE.matcher(trimmed).matches()) {
            errors.add(UserError.of("code", AllocationErrorCode.INVALID, "A code has letters, digits, '-', '_' and '.' only"));
        }
        else if (store.codeTaken(organizationId, trimmed, exceptId)) {
            errors.add(UserError.of("code", AllocationErrorCode.TAKEN, "Another cost center has the code " + trimmed + " (archived ones keep theirs)"));
        }
        return trimmed;
    }

    private static String validName(@Nullable String name, List<UserError> errors) {
        String trimmed = name == null ? "" : name.trim();
        if (trimmed.isEmpty()) {
            errors.add(UserError.of("name", AllocationErrorCode.BLANK, "A name can't be blank"));
        }
        else if (trimmed.length() > MAX_NAME) {
            errors.add(UserError.of("name", AllocationErrorCode.LENGTH, "A name is at most " + MAX_NAME + " characters"));
        }
        else if (ControlCharacters.presentIn(trimmed)) {
            errors.add(UserError.of("name", AllocationErrorCode.INVALID, "A name has no control characters"));
        }
        return trimmed;
    }

    /** The splits as written, once each names an active cost center of the organization, a percent in (0, 100] with at most 2 decimals, all adding up to 100. */
    private List<AllocationStore.NewSplit> validSplits(long organizationId, List<SplitInput> splits, List<UserError> errors) {
        if (splits.isEmpty()) {
            errors.add(UserError.of("splits", AllocationErrorCode.BLANK, "A rule needs at least one cost center"));
            return List.of();
        }
        if (splits.size() > MAX_SPLITS) {
            errors.add(UserError.of("splits", AllocationErrorCode.OUT_OF_RANGE, "A rule shares between at most " + MAX_SPLITS + " cost centers"));
            return List.of();
        }
        List<Optional<Long>> ids = splits.stream().map(split -> GlobalId.decode(split.costCenterId()).filter(id -> id.type().equals(CostCenter.TYPE))
                .map(GlobalId::id)).toList();
        Map<Long, CostCenter> found = new HashMap<>();
        store.costCenters(organizationId, ids.stream().flatMap(Optional::stream).distinct().toList()).forEach(costCenter -> found.put(costCenter.id(), costCenter));
        List<AllocationStore.NewSplit> valid = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        boolean percentsValid = true;
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < splits.size(); i++) {
            SplitInput split = splits.get(i);
            CostCenter costCenter = ids.get(i).map(found::get).orElse(null);
            if (costCenter == null) {
                errors.add(splitError(i, "costCenterId", AllocationErrorCode.NOT_FOUND, "No cost center " + split.costCenterId() + " in this organization"));
            }
            else if (costCenter.archived()) {
                errors.add(splitError(i, "costCenterId", AllocationErrorCode.INVALID_STATE, "The cost center " + costCenter.code() + " is archived"));
            }
            else if (!seen.add(costCenter.id())) {
                errors.add(splitError(i, "costCenterId", AllocationErrorCode.INVALID, "The cost center " + costCenter.code() + " is named twice"));
            }
            BigDecimal percent = split.percent();
            if (percent == null) {
                errors.add(splitError(i, "percent", AllocationErrorCode.BLANK, "A percent is required"));
                percentsValid = false;
            }
            else if (percent.signum() <= 0 || percent.compareTo(HUNDRED) > 0 || percent.stripTrailingZeros().scale() > 2) {
                errors.add(splitError(i, "percent", AllocationErrorCode.OUT_OF_RANGE, "A percent is above 0, at most 100, with at most 2 decimals"));
                percentsValid = false;
            }
            else {
                total = total.add(percent);
                if (costCenter != null) {
                    valid.add(new AllocationStore.NewSplit(costCenter.id(), percent.setScale(2)));
                }
            }
        }
        if (percentsValid && total.compareTo(HUNDRED) != 0) {
            errors.add(UserError.of("splits", AllocationErrorCode.SPLIT_TOTAL, "The percents add up to " + total.stripTrailingZeros().toPlainString()
                    + ", not 100"));
        }
        return valid;
    }

    private static UserError splitError(int index, String field, AllocationErrorCode code, String message) {
        return new UserError(List.of("input", "splits", String.valueOf(index), field), message, code);
    }

    private static RuntimeException duplicateCode(RuntimeException error, String code) {
        // A concurrent insert of the same code gets past the check; the unique key (MariaDB's ignores case) refuses it.
        return SqlStates.isDuplicateKey(error)
                ? new UserInputException(UserError.of("code", AllocationErrorCode.TAKEN, "Another cost center has the code " + code))
                : error;
    }
}
