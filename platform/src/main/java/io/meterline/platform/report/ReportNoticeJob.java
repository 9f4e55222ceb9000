package io.meterline.platform.report;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.analytics.Totals;
import io.meterline.platform.common.Money;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.webhook.WebhookEventTypes;
import io.meterline.platform.webhook.WebhookService;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code usage.daily_summary} (each organization's local day that ended last, after its local midnight) and
 * {@code report.completed} (each organization's month that became COMPLETED last) through the webhook outbox. A notice's
 * row in {@code usage_report_notice} is written in the same transaction as its deliveries, so it goes out once per
 * organization and period however many runs or instances there are (the primary key decides; no lock is held between
 * runs). A day's totals wait until the rollups have passed its end, so a summary never misses usage rolled up late.
 * A missed run is caught up by the next one within the day (a summary) or the month (a report).
 */
@Singleton
public class ReportNoticeJob {

    private static final Logger LOG = LoggerFactory.getLogger(ReportNoticeJob.class);

    private final UsageReportService reports;
    private final UsageReportStore store;
    private final OrganizationRepository organizations;
    private final WebhookService webhooks;
    private final Clock clock;

    ReportNoticeJob(UsageReportService reports, UsageReportStore store, OrganizationRepository organizations, WebhookService webhooks, Clock clock) {
        this.reports = reports;
        this.store = store;
        this.organizations = organizations;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    @Scheduled(fixedDelay = "${meterline.report.notice-interval}", initialDelay = "${meterline.report.notice-interval}")
    void scheduled() {
        try {
            runNow();
        }
        catch (RuntimeException e) {
            LOG.warn("Sending usage summaries and completed reports failed; retrying on the next run", e);
        }
    }

    /**
     * Sends what is due now.
     *
     * @return how many notices were newly recorded (each with one delivery per subscribed endpoint)
     */
    public int runNow() {
        Instant now = clock.instant();
        List<Organization> all = new ArrayList<>();
        organizations.findAll().forEach(all::add);
        return dailySummaries(all, now) + completedReports(all, now);
    }

    private int dailySummaries(List<Organization> all, Instant now) {
        Set<String> sent = store.noticesSince(UsageReportStore.NoticeKind.DAILY_SUMMARY, LocalDate.ofInstant(now, java.time.ZoneOffset.UTC).minusDays(2));
        List<Organization> due = new ArrayList<>();
        List<AnalyticsService.Span> days = new ArrayList<>();
        for (Organization organization : all) {
            ZoneId zone = organization.zone();
            LocalDate yesterday = LocalDate.ofInstant(now, zone).minusDays(1);
            // Not for a day before the organization existed.
            if (!yesterday.isBefore(LocalDate.ofInstant(organization.createdAt(), zone)) && !sent.contains(organization.id() + ":" + yesterday)) {
                due.add(organization);
                days.add(new AnalyticsService.Span(organization.id(), new DayRange(yesterday, yesterday, zone)));
            }
        }
        if (due.isEmpty()) {
            return 0;
        }
        List<UsageReportService.Figures> totals = reports.totals(days);
        int recorded = 0;
        for (int i = 0; i < due.size(); i++) {
            DayRange day = days.get(i).days();
            UsageReportService.Figures figures = totals.get(i);
            if (figures.asOf().isBefore(day.end())) {
                // The rollups have not reached the day's end yet: the next run sends it.
                continue;
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("date", day.from().toString());
            payload.put("timeZone", day.zone().getId());
            payload.put("start", day.start().toString());
            payload.put("end", day.end().toString());
            payload.putAll(measures(figures));
            recorded += send(due.get(i).id(), UsageReportStore.NoticeKind.DAILY_SUMMARY, day.from(), WebhookEventTypes.USAGE_DAILY_SUMMARY, payload, now);
        }
        return recorded;
    }

    private int completedReports(List<Organization> all, Instant now) {
        Set<String> sent = store.noticesSince(UsageReportStore.NoticeKind.REPORT_COMPLETED, LocalDate.ofInstant(now, java.time.ZoneOffset.UTC).minusMonths(2));
        List<UsageReport> due = new ArrayList<>();
        for (Organization organization : all) {
            ZoneId zone = organization.zone();
            YearMonth completed = reports.currentMonth(zone).minusMonths(1);
            // Not for a month before the organization existed.
            if (!completed.isBefore(YearMonth.from(organization.createdAt().atZone(zone))) && !sent.contains(organization.id() + ":" + completed.atDay(1))) {
                due.add(reports.report(organization, completed));
            }
        }
        if (due.isEmpty()) {
            return 0;
        }
        List<UsageReportService.Figures> totals = reports.figures(due);
        int recorded = 0;
        for (int i = 0; i < due.size(); i++) {
            UsageReport report = due.get(i);
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("reportId", report.globalId());
            payload.put("period", report.month().toString());
            payload.put("from", report.days().from().toString());
            payload.put("to", report.days().to().toString());
            payload.put("timeZone", report.days().zone().getId());
            payload.put("generatedAt", report.generatedAt().toString());
            payload.putAll(measures(totals.get(i)));
            String path = "/v1/reports/" + report.globalId();
            payload.put("downloads", Map.of("pdf", path + ".pdf", "csv", path + ".csv", "json", path + ".json"));
            recorded += send(report.organizationId(), UsageReportStore.NoticeKind.REPORT_COMPLETED, report.month().atDay(1), WebhookEventTypes.REPORT_COMPLETED,
                    payload, now);
        }
        return recorded;
    }

    /** Records the notice and writes its deliveries in one transaction; 0 when another run or instance sent it first. */
    private int send(long organizationId, UsageReportStore.NoticeKind kind, LocalDate period, String eventType, Map<String, Object> payload, Instant now) {
        try {
            return store.write(connection -> {
                if (!store.recordNotice(connection, organizationId, kind, period, now)) {
                    return 0;
                }
                webhooks.enqueue(organizationId, eventType, payload);
                return 1;
            });
        }
        catch (RuntimeException e) {
            LOG.warn("Sending {} of {} for organization {} failed", eventType, period, organizationId, e);
            return 0;
        }
    }

    /** Tokens, calls and cost in the billing currency, as the API writes them. */
    private static Map<String, Object> measures(UsageReportService.Figures figures) {
        Totals totals = figures.totals();
        Map<String, Object> measures = new LinkedHashMap<>();
        measures.put("tokens", ReportDocuments.tokens(totals.tokens()));
        measures.put("requests", totals.requests());
        Money cost = figures.figure().money(totals.billingCost());
        measures.put("cost", Map.of("amount", cost.amount().toPlainString(), "currencyCode", cost.currencyCode()));
        return measures;
    }
}
