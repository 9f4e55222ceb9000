package io.meterline.platform.insight;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.analytics.Dimension;
import io.meterline.platform.analytics.HoursOfWeek;
import io.meterline.platform.analytics.Totals;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.Money;
import io.meterline.platform.fx.Conversion;
import io.meterline.platform.fx.FxConverter;
import io.meterline.platform.fx.ReportConverter;
import io.meterline.platform.insight.Insights.Metric;
import io.meterline.platform.pricing.MeterClass;
import io.meterline.platform.pricing.PriceBook;
import io.meterline.platform.pricing.RateRecord;
import io.meterline.platform.time.DayRange;
import io.meterline.plugin.spi.Rate;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Projection, forecast, patterns, anomalies and optimisation suggestions. Every figure but the
 * suggestions' is read through {@link AnalyticsService} ({@code usage_rollup}: whole days, hours and
 * quarter hours, the rest from the events), in the viewer's local days and hours, so a call costs a
 * bounded number of statements and rows that depend on its range, never on the number of events; the
 * figures are as of the last roll (up to {@code meterline.analytics.roll-interval} behind ingestion).
 * <p>
 * Suggestions need each model's cached and uncached input separately, which the rollup does not keep
 * (it adds every input meter into {@code input_tokens}): they read the current month of the 15-minute
 * meter aggregates ({@code usage_bucket_meter}) by model and meter, one statement (see {@link InsightStore}).
 * <p>
 * Money is in the organization's billing currency: the rollups' billing-currency sums ({@link Totals#billingCost()}),
 * where a part billed in an earlier billing currency is converted into the current one at the rate of the
 * last day read ({@link ReportConverter}); a suggestion's saving, priced in the price book's currency, at
 * today's rate.
 */
@Singleton
public class InsightService {

    /** Days of history the forecast fits: eight whole weeks. */
    static final int FORECAST_HISTORY_DAYS = 56;
    /** The longest forecast. */
    public static final int MAX_FORECAST_DAYS = 90;
    /** Trailing windows of the anomaly score: four weeks of days, one week of hours. */
    static final int DAY_WINDOW = 28;
    static final int HOUR_WINDOW = 7 * 24;
    /** The longest ranges: a year of days, a month of hours. */
    static final long MAX_DAY_RANGE = 366;
    static final long MAX_HOUR_RANGE = 31;
    /** Prompt caching is suggested from this much input a month, when under this share of it was cached. */
    static final BigDecimal CACHING_MIN_INPUT = new BigDecimal(100_000);
    static final BigDecimal CACHING_MAX_CACHED_SHARE = new BigDecimal("0.10");
    /** The share of input assumed cacheable (repeated system prompts and context) when estimating a caching saving. */
    static final BigDecimal ASSUMED_CACHEABLE_SHARE = new BigDecimal("0.30");
    static final String INPUT_METER = "input_tokens";
    /** The meters that count input served from a provider's prompt cache (OpenAI, Anthropic). */
    static final Set<String> CACHED_INPUT_METERS = Set.of("cached_tokens", "cache_read_tokens");

    private final InsightStore store;
    private final AnalyticsService analytics;
    private final HoursOfWeek hoursOfWeek;
    private final OrganizationRepository organizations;
    private final PriceBook priceBook;
    private final FxConverter fx;
    private final ReportConverter reports;
    private final Clock clock;

    InsightService(InsightStore store, AnalyticsService analytics, HoursOfWeek hoursOfWeek, OrganizationRepository organizations, PriceBook priceBook, FxConverter fx,
                   ReportConverter reports, Clock clock) {
        this.store = store;
        this.analytics = analytics;
        this.hoursOfWeek = hoursOfWeek;
        this.organizations = organizations;
        this.priceBook = priceBook;
        this.fx = fx;
        this.reports = reports;
        this.clock = clock;
    }

    /** Month-to-date cost and the month's projection at this month's daily average. */
    @Transactional(readOnly = true)
    public Insights.Projection projection(long organizationId, ZoneId zone) {
        Organization organization = organization(organizationId);
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, zone);
        LocalDate monthStart = today.withDayOfMonth(1);
        Instant todayStart = today.atStartOfDay(zone).toInstant();
        Instant tomorrowStart = today.plusDays(1).atStartOfDay(zone).toInstant();
        AnalyticsService.Stretches read = analytics.totalsBetween(organizationId, List.of(monthStart.atStartOfDay(zone).toInstant(), tomorrowStart), zone);
        Totals month = read.totals().get(0);
        double todayFraction = (double) Duration.between(todayStart, now).toSeconds() / Duration.between(todayStart, tomorrowStart).toSeconds();
        double elapsed = today.getDayOfMonth() - 1 + todayFraction;
        int daysInMonth = today.lengthOfMonth();
        Money toDate = reports.convert(month.billingCost(), organization.billingCurrency(), today).amount();
        List<Money> originalToDate = ReportConverter.amounts(month.cost());
        return new Insights.Projection(zone.getId(), monthStart, today.with(TemporalAdjusters.lastDayOfMonth()), today, elapsed, daysInMonth,
                toDate, originalToDate, perDay(toDate, elapsed, 1), originalToDate.stream().map(money -> perDay(money, elapsed, 1)).toList(),
                perDay(toDate, elapsed, daysInMonth), originalToDate.stream().map(money -> perDay(money, elapsed, daysInMonth)).toList(), month.unconvertedRequests(),
                read.asOf());
    }

    /** {@code days} days at the average day of {@code elapsed} days that cost {@code money}. */
    private static Money perDay(Money money, double elapsed, int days) {
        BigDecimal perDay = elapsed > 0 ? money.amount().divide(BigDecimal.valueOf(elapsed), MathContext.DECIMAL128) : BigDecimal.ZERO;
        return new Money(Money.round(perDay.multiply(BigDecimal.valueOf(days))), money.currencyCode());
    }

    /** A daily forecast of {@code days} days from today, by {@link Forecast} over the 56 whole days before today. */
    @Transactional(readOnly = true)
    public Insights.UsageForecast forecast(long organizationId, ZoneId zone, int days, Metric metric, @Nullable String currency) {
        Organization organization = organization(organizationId);
        if (days < 1 || days > MAX_FORECAST_DAYS) {
            throw MeterlineException.badInput("days must be between 1 and " + MAX_FORECAST_DAYS);
        }
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, zone);
        LocalDate historyFrom = today.minusDays(FORECAST_HISTORY_DAYS);
        LocalDate historyTo = today.minusDays(1);
        List<Instant> edges = new ArrayList<>();
        for (LocalDate day = historyFrom; !day.isAfter(today); day = day.plusDays(1)) {
            edges.add(day.atStartOfDay(zone).toInstant());
        }
        AnalyticsService.Stretches read = analytics.totalsBetween(organizationId, edges, zone);
        List<Totals> daily = read.totals();
        Measure measure = measure(metric, currency, organization, historyTo);
        double[] history = series(daily, measure);
        Forecast.Result result = Forecast.forecast(history, historyTo, days);
        List<Insights.WeekdayFactor> factors = new ArrayList<>();
        for (DayOfWeek day : DayOfWeek.values()) {
            factors.add(new Insights.WeekdayFactor(day, result.factors()[day.ordinal()]));
        }
        List<Insights.ForecastDay> forecastDays = result.days().stream()
                .map(day -> new Insights.ForecastDay(day.date(), day.date().getDayOfWeek(), day.conservative(), day.likely(), day.aggressive())).toList();
        return new Insights.UsageForecast(metric, measure.currencyCode(), zone.getId(), historyFrom, historyTo, result.daysUsed(), factors, result.slope(),
                result.residualStdDev(), Forecast.K, forecastDays,
                new Insights.ForecastTotals(result.totalConservative(), result.totalLikely(), result.totalAggressive()), read.asOf());
    }

    /** Busiest hours and weekdays over a range, and this week, month and year to date against the same span of the one before. */
    @Transactional(readOnly = true)
    public Insights.Patterns patterns(long organizationId, DayRange range, Metric metric, @Nullable String currency) {
        Organization organization = organization(organizationId);
        requireAtMost(range, MAX_DAY_RANGE);
        ZoneId zone = range.zone();
        HoursOfWeek.Grid read = hoursOfWeek.read(organizationId, range);
        LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
        // The comparisons read up to today: the last day any part of this answer reads.
        Measure measure = measure(metric, currency, organization, today);
        double[] hours = new double[24];
        double[] weekdays = new double[7];
        for (int day = 0; day < 7; day++) {
            for (int hour = 0; hour < 24; hour++) {
                double value = measure.of(read.totals()[day][hour]);
                hours[hour] += value;
                weekdays[day] += value;
            }
        }
        double total = 0;
        for (double value : hours) {
            total += value;
        }
        List<Insights.HourOfDay> hourValues = new ArrayList<>();
        for (int hour = 0; hour < 24; hour++) {
            hourValues.add(new Insights.HourOfDay(hour, hours[hour], share(hours[hour], total)));
        }
        List<Insights.DayOfWeekValue> dayValues = new ArrayList<>();
        for (DayOfWeek day : DayOfWeek.values()) {
            dayValues.add(new Insights.DayOfWeekValue(day, weekdays[day.ordinal()], share(weekdays[day.ordinal()], total)));
        }
        Integer busiestHour = total > 0 ? argMax(hours) : null;
        DayOfWeek busiestDay = total > 0 ? DayOfWeek.values()[argMax(weekdays)] : null;
        LocalDate weekStart = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        LocalDate monthStart = today.withDayOfMonth(1);
        LocalDate previousMonthStart = monthStart.minusMonths(1);
        LocalDate previousMonthTo = previousMonthStart.plusDays(Math.min(today.getDayOfMonth(), previousMonthStart.lengthOfMonth()) - 1L);
        LocalDate yearStart = today.withDayOfYear(1);
        List<Insights.PeriodComparison> comparisons = compare(organizationId, zone, measure, List.of(
                new LocalDate[] {weekStart, today, weekStart.minusWeeks(1), today.minusWeeks(1)},
                new LocalDate[] {monthStart, today, previousMonthStart, previousMonthTo},
                new LocalDate[] {yearStart, today, yearStart.minusYears(1), today.minusYears(1)}));
        return new Insights.Patterns(range.from(), range.to(), zone.getId(), metric, measure.currencyCode(), hourValues, dayValues, busiestHour, busiestDay,
                comparisons.get(0), comparisons.get(1), comparisons.get(2), read.asOf());
    }

    /** The whole days or hours of a range whose value is unusual against the trailing window before each ({@link RobustScore}). */
    @Transactional(readOnly = true)
    public Insights.Anomalies anomalies(long organizationId, Insights.Granularity granularity, DayRange range, Metric metric, @Nullable String currency) {
        Organization organization = organization(organizationId);
        return scoreAnomalies(organizationId, granularity, range, List.of(measure(metric, currency, organization, range.to()))).get(0);
    }

    /**
     * {@link #anomalies(long, Insights.Granularity, DayRange, Metric, String)} of several metrics from one read of
     * the buckets (the webhook check scores requests, tokens and cost), cost in the billing currency; in the metrics' order.
     */
    @Transactional(readOnly = true)
    List<Insights.Anomalies> anomalies(long organizationId, Insights.Granularity granularity, DayRange range, List<Metric> metrics) {
        Organization organization = organization(organizationId);
        return scoreAnomalies(organizationId, granularity, range, metrics.stream().map(metric -> measure(metric, null, organization, range.to())).toList());
    }

    private List<Insights.Anomalies> scoreAnomalies(long organizationId, Insights.Granularity granularity, DayRange range, List<Measure> measures) {
        requireAtMost(range, granularity == Insights.Granularity.DAY ? MAX_DAY_RANGE : MAX_HOUR_RANGE);
        ZoneId zone = range.zone();
        Instant now = clock.instant();
        List<Instant> starts = new ArrayList<>();
        int window;
        if (granularity == Insights.Granularity.DAY) {
            window = DAY_WINDOW;
            for (LocalDate day = range.from().minusDays(window); !day.isAfter(range.to()); day = day.plusDays(1)) {
                starts.add(day.atStartOfDay(zone).toInstant());
            }
            starts.add(range.end());
        }
        else {
            window = HOUR_WINDOW;
            for (Instant hour = range.start().minus(Duration.ofHours(window)); !hour.isAfter(range.end()); hour = hour.plus(Duration.ofHours(1))) {
                starts.add(hour);
            }
        }
        // Only whole buckets are scored: the one still running would look like a drop.
        while (starts.size() > 1 && starts.get(starts.size() - 1).isAfter(now)) {
            starts.remove(starts.size() - 1);
        }
        int size = starts.size() - 1;
        List<Totals> buckets = List.of();
        Instant asOf;
        if (size > window) {
            AnalyticsService.Stretches read = analytics.totalsBetween(organizationId, starts.subList(0, size + 1), zone);
            asOf = read.asOf();
            buckets = read.totals();
        }
        else {
            asOf = analytics.asOf();
        }
        List<Insights.Anomalies> answers = new ArrayList<>();
        for (Measure measure : measures) {
            List<Insights.Anomaly> anomalies = new ArrayList<>();
            for (RobustScore.Flag flag : RobustScore.flags(series(buckets, measure), window, window)) {
                Instant start = starts.get(flag.index());
                ZonedDateTime local = start.atZone(zone);
                anomalies.add(new Insights.Anomaly(start, starts.get(flag.index() + 1), local.toLocalDate(),
                        granularity == Insights.Granularity.HOUR ? local.getHour() : null, flag.value(), flag.median(), flag.score(),
                        flag.score() > 0 ? Insights.Direction.HIGH : Insights.Direction.LOW));
            }
            answers.add(new Insights.Anomalies(granularity, measure.metric(), measure.currencyCode(), zone.getId(), range.from(), range.to(), window,
                    RobustScore.THRESHOLD, anomalies, asOf));
        }
        return answers;
    }

    /** Savings this month's usage would have had: a cheaper model of the same provider, or prompt caching. */
    @Transactional(readOnly = true)
    public Insights.Suggestions suggestions(long organizationId, ZoneId zone) {
        Organization organization = organization(organizationId);
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, zone);
        LocalDate monthStart = today.withDayOfMonth(1);
        Map<String, Map<String, BigDecimal>> tokensByModel = new TreeMap<>();
        for (InsightStore.ModelMeter row : store.modelMeters(organizationId, monthStart.atStartOfDay(zone).toInstant(), today.plusDays(1).atStartOfDay(zone).toInstant())) {
            if (MeterClass.of(row.meter(), row.unit()).tokens() && row.quantity().signum() > 0) {
                tokensByModel.computeIfAbsent(row.provider() + "\u0000" + row.model(), key -> new TreeMap<>()).merge(row.meter(), row.quantity(), BigDecimal::add);
            }
        }
        List<Insights.Suggestion> suggestions = new ArrayList<>();
        tokensByModel.forEach((key, tokens) -> {
            String provider = key.substring(0, key.indexOf('\u0000'));
            String model = key.substring(key.indexOf('\u0000') + 1);
            List<RateRecord> rates = priceBook.current(provider);
            cheaperModel(provider, model, tokens, rates, organization.priceFactor()).ifPresent(suggestions::add);
            promptCaching(provider, model, tokens, rates, organization.priceFactor()).ifPresent(suggestions::add);
        });
        List<Insights.Suggestion> inBillingCurrency = suggestions.stream().map(suggestion -> inBillingCurrency(suggestion, organization.billingCurrency(), today))
                .sorted(Comparator.comparing((Insights.Suggestion suggestion) -> suggestion.potentialSaving() == null)
                        .thenComparing(suggestion -> (suggestion.potentialSaving() == null ? suggestion.originalPotentialSaving() : suggestion.potentialSaving()).amount(),
                                Comparator.reverseOrder()))
                .toList();
        return new Insights.Suggestions(monthStart, today, zone.getId(), inBillingCurrency, now);
    }

    /**
     * The suggestion with its saving in the billing currency at today's rate (the prices it compares are
     * today's too) and that rate among its figures; without a rate the saving stays in its priced currency only.
     */
    private Insights.Suggestion inBillingCurrency(Insights.Suggestion suggestion, String billingCurrency, LocalDate today) {
        Money original = suggestion.originalPotentialSaving();
        Optional<Conversion> converted = fx.convert(original, billingCurrency, today);
        List<Insights.Figure> figures = new ArrayList<>(suggestion.basedOn());
        if (converted.isPresent() && !original.currencyCode().equals(billingCurrency)) {
            figures.add(new Insights.Figure(original.currencyCode() + " to " + billingCurrency + " rate of " + converted.get().rateDate(), plain(converted.get().rate())));
        }
        return suggestion.withSaving(converted.map(Conversion::money).orElse(null), figures);
    }

    private Optional<Insights.Suggestion> cheaperModel(String provider, String model, Map<String, BigDecimal> tokens, List<RateRecord> rates, BigDecimal factor) {
        Optional<Priced> current = price(model, tokens, rates, true);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Priced cheapest = null;
        String cheapestModel = null;
        for (String candidate : rates.stream().map(RateRecord::model).filter(name -> !name.equals(model) && !name.equals(Rate.ANY_MODEL)).distinct().toList()) {
            Optional<Priced> priced = price(candidate, tokens, rates, false).filter(other -> other.currency().equals(current.get().currency()));
            if (priced.isPresent() && priced.get().amount().compareTo(current.get().amount()) < 0
                    && (cheapest == null || priced.get().amount().compareTo(cheapest.amount()) < 0)) {
                cheapest = priced.get();
                cheapestModel = candidate;
            }
        }
        if (cheapest == null) {
            return Optional.empty();
        }
        String currency = current.get().currency();
        BigDecimal currentCost = Money.round(current.get().amount().multiply(factor));
        BigDecimal alternativeCost = Money.round(cheapest.amount().multiply(factor));
        BigDecimal saving = currentCost.subtract(alternativeCost);
        List<Insights.Figure> figures = new ArrayList<>();
        tokens.forEach((meter, quantity) -> figures.add(new Insights.Figure(meter + " this month", plain(quantity))));
        figures.add(new Insights.Figure("cost on " + model + " at current prices", plain(currentCost) + " " + currency));
        figures.add(new Insights.Figure("cost on " + cheapestModel + " at current prices", plain(alternativeCost) + " " + currency));
        String detail = "This month " + provider + " " + model + " used " + describe(tokens) + ", " + plain(currentCost) + " " + currency
                + " at current prices. The same tokens on " + cheapestModel + " would cost " + plain(alternativeCost) + " " + currency
                + ". Models differ in quality: move the simpler tasks only.";
        return Optional.of(new Insights.Suggestion(Insights.SuggestionKind.CHEAPER_MODEL, "Use " + cheapestModel + " instead of " + model + " for simpler tasks",
                detail, provider, model, cheapestModel, figures, null, new Money(saving, currency)));
    }

    private Optional<Insights.Suggestion> promptCaching(String provider, String model, Map<String, BigDecimal> tokens, List<RateRecord> rates, BigDecimal factor) {
        BigDecimal input = tokens.getOrDefault(INPUT_METER, BigDecimal.ZERO);
        Optional<RateRecord> inputRate = rate(model, INPUT_METER, rates, true);
        if (input.compareTo(CACHING_MIN_INPUT) < 0 || inputRate.isEmpty()) {
            return Optional.empty();
        }
        for (String cachedMeter : CACHED_INPUT_METERS) {
            Optional<RateRecord> cachedRate = rate(model, cachedMeter, rates, true).filter(rate -> rate.currency().equals(inputRate.get().currency()));
            if (cachedRate.isEmpty()) {
                continue;
            }
            BigDecimal difference = perUnit(inputRate.get()).subtract(perUnit(cachedRate.get()));
            BigDecimal cached = tokens.getOrDefault(cachedMeter, BigDecimal.ZERO);
            BigDecimal share = cached.divide(input.add(cached), MathContext.DECIMAL64);
            if (difference.signum() <= 0 || share.compareTo(CACHING_MAX_CACHED_SHARE) >= 0) {
                continue;
            }
            String currency = inputRate.get().currency();
            BigDecimal saving = Money.round(ASSUMED_CACHEABLE_SHARE.multiply(input).multiply(difference).multiply(factor));
            String percent = share.movePointRight(2).setScale(1, RoundingMode.HALF_EVEN).toPlainString();
            String assumed = ASSUMED_CACHEABLE_SHARE.movePointRight(2).stripTrailingZeros().toPlainString();
            List<Insights.Figure> figures = List.of(
                    new Insights.Figure(INPUT_METER + " this month", plain(input)),
                    new Insights.Figure(cachedMeter + " this month", plain(cached)),
                    new Insights.Figure("cached share of input", percent + " %"),
                    new Insights.Figure("assumed cacheable share", assumed + " %"),
                    new Insights.Figure("input price per token", plain(perUnit(inputRate.get()).multiply(factor)) + " " + currency),
                    new Insights.Figure("cached input price per token", plain(perUnit(cachedRate.get()).multiply(factor)) + " " + currency));
            String detail = "This month " + provider + " " + model + " read " + plain(input) + " input tokens and only " + percent + " % of its input came from the"
                    + " prompt cache. Assuming " + assumed + " % of the input repeats (system prompts, shared context) and is served from the cache at the cached"
                    + " price instead, the month would have cost " + plain(saving) + " " + currency + " less (cache-write premiums not counted).";
            return Optional.of(new Insights.Suggestion(Insights.SuggestionKind.PROMPT_CACHING, "Cache repeated prompts on " + model, detail, provider, model,
                    null, figures, null, new Money(saving, currency)));
        }
        return Optional.empty();
    }

    private record Priced(BigDecimal amount, String currency) {
    }

    /** The list-price cost of the tokens on a model, if every meter has a rate in one currency. */
    private static Optional<Priced> price(String model, Map<String, BigDecimal> tokens, List<RateRecord> rates, boolean anyModelFallback) {
        BigDecimal amount = BigDecimal.ZERO;
        String currency = null;
        for (Map.Entry<String, BigDecimal> meter : tokens.entrySet()) {
            Optional<RateRecord> rate = rate(model, meter.getKey(), rates, anyModelFallback);
            if (rate.isEmpty() || (currency != null && !currency.equals(rate.get().currency()))) {
                return Optional.empty();
            }
            currency = rate.get().currency();
            amount = amount.add(meter.getValue().multiply(perUnit(rate.get())));
        }
        return currency == null ? Optional.empty() : Optional.of(new Priced(amount, currency));
    }

    private static Optional<RateRecord> rate(String model, String meter, List<RateRecord> rates, boolean anyModelFallback) {
        Optional<RateRecord> exact = rates.stream().filter(rate -> rate.model().equals(model) && rate.meter().equals(meter)).findFirst();
        if (exact.isPresent() || !anyModelFallback) {
            return exact;
        }
        return rates.stream().filter(rate -> rate.model().equals(Rate.ANY_MODEL) && rate.meter().equals(meter)).findFirst();
    }

    private static BigDecimal perUnit(RateRecord rate) {
        return rate.unitPrice().divide(BigDecimal.valueOf(rate.perQuantity()), MathContext.DECIMAL128);
    }

    private static String describe(Map<String, BigDecimal> tokens) {
        List<String> parts = new ArrayList<>();
        tokens.forEach((meter, quantity) -> parts.add(plain(quantity) + " " + meter));
        return String.join(", ", parts);
    }

    private static String plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }

    /**
     * Periods against the ones before: each {@code {from, to, previousFrom, previousTo}} in local days,
     * all read at once (one statement per grain).
     */
    private List<Insights.PeriodComparison> compare(long organizationId, ZoneId zone, Measure measure, List<LocalDate[]> periods) {
        List<AnalyticsService.Span> spans = new ArrayList<>();
        for (LocalDate[] period : periods) {
            spans.add(new AnalyticsService.Span(organizationId, new DayRange(period[0], period[1], zone)));
            spans.add(new AnalyticsService.Span(organizationId, new DayRange(period[2], period[3], zone)));
        }
        List<AnalyticsService.Breakdown> totals = analytics.breakdowns(spans, Dimension.ALL);
        List<Insights.PeriodComparison> comparisons = new ArrayList<>();
        for (int i = 0; i < periods.size(); i++) {
            LocalDate[] period = periods.get(i);
            double current = measure.of(totals.get(2 * i).totals());
            double previous = measure.of(totals.get(2 * i + 1).totals());
            Double change = previous == 0 ? null : (current - previous) / previous * 100;
            comparisons.add(new Insights.PeriodComparison(period[0], period[1], period[2], period[3], current, previous, change));
        }
        return comparisons;
    }

    /** What a series counts, read from a bucket's totals; {@code currencyCode} is that of COST, null otherwise. */
    private record Measure(Metric metric, @Nullable String currencyCode, ToDoubleFunction<Totals> reader) {

        double of(Totals totals) {
            return reader.applyAsDouble(totals);
        }
    }

    /**
     * The measure of a metric. COST is the billing-currency cost unless another currency is asked for, which
     * reads only the usage priced in that currency, at its original amounts: the billing figure is the whole
     * cost, a priced currency a part of it, and neither is converted into a third currency. A part billed in
     * an earlier billing currency is converted into the current one at the rate of {@code lastDay}, the last
     * day the answer reads.
     */
    private Measure measure(Metric metric, @Nullable String currency, Organization organization, LocalDate lastDay) {
        String billing = organization.billingCurrency();
        return switch (metric) {
            case REQUESTS -> new Measure(metric, null, Totals::requests);
            case TOKENS -> new Measure(metric, null, totals -> totals.tokens().doubleValue());
            case COST -> currency == null || currency.equals(billing)
                    ? new Measure(metric, billing, totals -> reports.convert(totals.billingCost(), billing, lastDay).amount().amount().doubleValue())
                    : new Measure(metric, currency, totals -> totals.cost().getOrDefault(currency, BigDecimal.ZERO).doubleValue());
        };
    }

    /** The values of a series of buckets. */
    private static double[] series(List<Totals> buckets, Measure measure) {
        return buckets.stream().mapToDouble(measure::of).toArray();
    }

    private static double share(double value, double total) {
        return total == 0 ? 0 : value / total;
    }

    private static int argMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static void requireAtMost(DayRange range, long days) {
        if (ChronoUnit.DAYS.between(range.from(), range.to()) + 1 > days) {
            throw MeterlineException.badInput("This range spans at most " + days + " days");
        }
    }

    private Organization organization(long organizationId) {
        return organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization"));
    }
}
