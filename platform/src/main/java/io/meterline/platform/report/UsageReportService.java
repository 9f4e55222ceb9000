package io.meterline.platform.report;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.analytics.Dimension;
import io.meterline.platform.analytics.EventTotals;
import io.meterline.platform.analytics.TimeGrid;
import io.meterline.platform.analytics.Totals;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.profile.CompanyDetailsRepository;
import io.meterline.platform.usage.BillingFigures;
import io.meterline.platform.time.DayRange;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Monthly usage reports and custom reports, every figure read through {@link AnalyticsService} (the rollups), never
 * from raw events, but for a custom report's model within a feature (see {@link #modelWithinFeature}). Months are the
 * organization's local months; a month is CURRENT until its end plus {@link ReportConfiguration#grace()}, COMPLETED after.
 */
@Singleton
public class UsageReportService {

    /** The breakdowns a report's documents list, in the order of seed 000 and 004. */
    public static final List<Dimension> REPORT_DIMENSIONS = List.of(Dimension.PROVIDER, Dimension.MODEL, Dimension.FEATURE, Dimension.TOOL, Dimension.INTEGRATION,
            Dimension.TEAM, Dimension.DEPARTMENT, Dimension.PROJECT, Dimension.MEMBER, Dimension.ACCOUNT_ID);

    private final AnalyticsService analytics;
    private final EventTotals events;
    private final BillingFigures figures;
    private final OrganizationRepository organizations;
    private final UsageReportStore store;
    private final CompanyDetailsRepository companyDetails;
    private final ReportConfiguration configuration;
    private final Clock clock;

    UsageReportService(AnalyticsService analytics, EventTotals events, BillingFigures figures, OrganizationRepository organizations, UsageReportStore store,
                       CompanyDetailsRepository companyDetails, ReportConfiguration configuration, Clock clock) {
        this.analytics = analytics;
        this.events = events;
        this.figures = figures;
        this.organizations = organizations;
        this.store = store;
        this.companyDetails = companyDetails;
        this.configuration = configuration;
        this.clock = clock;
    }

    /** Totals with the figure their cost shows in: the organization's current billing currency, at the rate of the range's last day (today at most). */
    public record Figures(Totals totals, BillingFigures.In figure, Instant asOf) {
    }

    public Organization organization(long organizationId) {
        return organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization"));
    }

    /** The local month running now in the organization's zone, given the grace period: the month whose report is still CURRENT. */
    public YearMonth currentMonth(ZoneId zone) {
        return YearMonth.from(clock.instant().minus(configuration.grace()).atZone(zone));
    }

    /** A month's report; BAD_USER_INPUT for a month that has not started yet. */
    public UsageReport report(Organization organization, YearMonth month) {
        ZoneId zone = organization.zone();
        if (month.isAfter(YearMonth.now(clock.withZone(zone)))) {
            throw MeterlineException.badInput(month + " is in the future: reports exist up to the current month");
        }
        DayRange days = new DayRange(month.atDay(1), month.atEndOfMonth(), zone);
        Instant finalAt = days.end().plus(configuration.grace());
        boolean completed = !clock.instant().isBefore(finalAt);
        return new UsageReport(organization.id(), month, days, completed ? UsageReport.Status.COMPLETED : UsageReport.Status.CURRENT,
                completed ? finalAt : clock.instant());
    }

    /** A report by its row id, for {@code node(id:)}; empty for an unknown organization or a future month (tenancy is the caller's). */
    public Optional<UsageReport> find(long rowId) {
        return UsageReport.Key.of(rowId).flatMap(key -> organizations.findById(key.organizationId())
                .filter(organization -> !key.month().isAfter(YearMonth.now(clock.withZone(organization.zone()))))
                .map(organization -> report(organization, key.month())));
    }

    /**
     * Every report of the organization, newest first: from the month of its first usage (or its creation, if earlier) to
     * the month running now, each a month that has started.
     */
    public List<UsageReport> all(Organization organization) {
        ZoneId zone = organization.zone();
        YearMonth first = YearMonth.from(organization.createdAt().atZone(zone));
        Optional<Instant> firstUsage = store.firstUsageDay(organization.id());
        if (firstUsage.isPresent() && YearMonth.from(firstUsage.get().atZone(zone)).isBefore(first)) {
            first = YearMonth.from(firstUsage.get().atZone(zone));
        }
        List<UsageReport> reports = new ArrayList<>();
        for (YearMonth month = YearMonth.now(clock.withZone(zone)); !month.isBefore(first); month = month.minusMonths(1)) {
            reports.add(report(organization, month));
        }
        return reports;
    }

    /** The reports' figures in their order (see {@link #totals}). */
    public List<Figures> figures(List<UsageReport> reports) {
        return totals(reports.stream().map(report -> new AnalyticsService.Span(report.organizationId(), report.days())).toList());
    }

    /**
     * The totals of many ranges, of one organization or many, in their order: one read of the rollups for all of them, and
     * one statement per organization for its billing currency.
     */
    public List<Figures> totals(List<AnalyticsService.Span> spans) {
        List<AnalyticsService.Breakdown> read = analytics.breakdowns(spans, Dimension.ALL);
        Map<Long, String> currencies = new HashMap<>();
        List<Figures> answer = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            AnalyticsService.Span span = spans.get(i);
            LocalDate day = lastDay(span.days());
            String currency = currencies.computeIfAbsent(span.organizationId(), id -> figures.current(id, day).currency());
            answer.add(new Figures(read.get(i).totals(), figures.in(currency, day), read.get(i).asOf()));
        }
        return answer;
    }

    /** The figure an answer over {@code days} shows its costs in. */
    public BillingFigures.In figure(long organizationId, DayRange days) {
        return figures.current(organizationId, lastDay(days));
    }

    /** The range's last day, today at most: a running month converts earlier billing currencies at today's rate. */
    private LocalDate lastDay(DayRange days) {
        LocalDate today = LocalDate.now(clock.withZone(days.zone()));
        return days.to().isAfter(today) ? today : days.to();
    }

    /** The range's local days, every one present. */
    public AnalyticsService.Series daily(long organizationId, DayRange days) {
        return analytics.series(organizationId, days, TimeGrid.Granularity.DAY, null);
    }

    public AnalyticsService.Breakdown breakdown(long organizationId, DayRange days, Dimension dimension) {
        return analytics.breakdown(organizationId, days, dimension);
    }

    /** The same breakdown over several ranges of one organization, in one read. */
    public List<AnalyticsService.Breakdown> breakdowns(long organizationId, List<DayRange> ranges, Dimension dimension) {
        return analytics.breakdowns(ranges.stream().map(days -> new AnalyticsService.Span(organizationId, days)).toList(), dimension);
    }

    /**
     * The chosen model's usage within the chosen feature over each range, in order: their intersection, which no rollup
     * row holds, read from the events (see {@link EventTotals#matching}); costs in the same figure as the rollups'.
     */
    public List<Totals> modelWithinFeature(long organizationId, List<DayRange> ranges, String model, String feature) {
        return events.matching(organizationId, ranges, Map.of(Dimension.MODEL, model, Dimension.FEATURE, feature));
    }

    /** The period a report is compared with: the month before. */
    public static DayRange previous(UsageReport report) {
        YearMonth month = report.month().minusMonths(1);
        return new DayRange(month.atDay(1), month.atEndOfMonth(), report.days().zone());
    }

    /** The period a custom range is compared with by default: as many days, just before it. */
    public static DayRange before(DayRange days) {
        long length = days.to().toEpochDay() - days.from().toEpochDay() + 1;
        return new DayRange(days.from().minusDays(length), days.from().minusDays(1), days.zone());
    }

    /** Everything a report's documents show: one read for the month and the month before, one for the days, one per breakdown. */
    public ReportDocument document(UsageReport report) {
        long organizationId = report.organizationId();
        List<AnalyticsService.Breakdown> both = breakdowns(organizationId, List.of(report.days(), previous(report)), Dimension.ALL);
        List<AnalyticsService.Breakdown> breakdowns = REPORT_DIMENSIONS.stream().map(dimension -> breakdown(organizationId, report.days(), dimension)).toList();
        return new ReportDocument(report, organization(organizationId).name(), companyDetails.findById(organizationId).orElse(null), both.get(0).totals(),
                both.get(1).totals(), figure(organizationId, report.days()), daily(organizationId, report.days()).buckets(), breakdowns);
    }

    /** One group of a breakdown, or the group with zero totals when the range has none of it. */
    public static AnalyticsService.Group group(AnalyticsService.Breakdown breakdown, @Nullable String key) {
        return breakdown.groups().stream().filter(group -> group.key().equals(key)).findFirst()
                .orElseGet(() -> new AnalyticsService.Group(key, new Totals()));
    }
}
