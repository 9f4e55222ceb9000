package io.meterline.platform.insight;

import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.TimeBuckets;
import io.meterline.platform.webhook.WebhookEventTypes;
import io.meterline.platform.webhook.WebhookService;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code usage.anomaly} webhook events: every run (hourly by default) scores the whole hours
 * of the last day of every organization with usage rolled up ({@link AnalyticsService#organizationsActiveSince}),
 * by requests, tokens and cost in the billing currency (one read of the hours for the three), in the
 * organization's time zone ({@link InsightService#anomalies}). Each unusual hour is sent once: its
 * row in {@code usage_anomaly_emitted} is written in the same transaction as its deliveries, so a
 * later run, or another instance, skips it.
 */
@Singleton
public class AnomalyWebhookJob {

    private static final Logger LOG = LoggerFactory.getLogger(AnomalyWebhookJob.class);
    /** How far back a run looks: a missed run is caught up within a day; older hours are never sent. */
    static final Duration LOOKBACK = Duration.ofHours(24);
    static final String GRANULARITY = Insights.Granularity.HOUR.name();
    /** What is scored; cost in the organization's billing currency, so a payload's money reads as its invoices do. */
    static final List<Insights.Metric> METRICS = List.of(Insights.Metric.REQUESTS, Insights.Metric.TOKENS, Insights.Metric.COST);

    private final InsightService insights;
    private final AnalyticsService analytics;
    private final OrganizationRepository organizations;
    private final WebhookService webhooks;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;

    AnomalyWebhookJob(InsightService insights, AnalyticsService analytics, OrganizationRepository organizations, WebhookService webhooks, JdbcOperations jdbc,
                      TransactionOperations<Connection> transactions, Clock clock) {
        this.insights = insights;
        this.analytics = analytics;
        this.organizations = organizations;
        this.webhooks = webhooks;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Scheduled(fixedDelay = "${meterline.insight.anomaly-check-interval:1h}", initialDelay = "${meterline.insight.anomaly-check-interval:1h}")
    void scheduled() {
        try {
            checkNow();
        }
        catch (RuntimeException e) {
            LOG.warn("Usage anomaly check failed; retrying on the next run", e);
        }
    }

    /**
     * Checks every organization with usage in the last day and sends what is new.
     *
     * @return how many anomalous hours were newly recorded
     */
    public int checkNow() {
        Instant now = clock.instant();
        Instant since = now.minus(LOOKBACK);
        int recorded = 0;
        for (long organizationId : analytics.organizationsActiveSince(since)) {
            try {
                recorded += check(organizationId, since, now);
            }
            catch (RuntimeException e) {
                LOG.warn("Usage anomaly check failed for organization {}", organizationId, e);
            }
        }
        return recorded;
    }

    private int check(long organizationId, Instant since, Instant now) {
        ZoneId zone = organizations.findById(organizationId).orElseThrow().zone();
        LocalDate today = LocalDate.ofInstant(now, zone);
        DayRange range = new DayRange(LocalDate.ofInstant(since, zone), today, zone);
        Map<Instant, List<Map<String, Object>>> byHour = new TreeMap<>();
        for (Insights.Anomalies scored : insights.anomalies(organizationId, Insights.Granularity.HOUR, range, METRICS)) {
            for (Insights.Anomaly anomaly : scored.anomalies()) {
                if (!anomaly.start().isBefore(since)) {
                    Map<String, Object> figure = new LinkedHashMap<>();
                    figure.put("metric", scored.metric().name());
                    if (scored.currencyCode() != null) {
                        figure.put("currencyCode", scored.currencyCode());
                    }
                    figure.put("value", anomaly.value());
                    figure.put("expected", anomaly.expected());
                    figure.put("score", anomaly.score());
                    figure.put("direction", anomaly.direction().name());
                    byHour.computeIfAbsent(anomaly.start(), start -> new ArrayList<>()).add(figure);
                }
            }
        }
        int recorded = 0;
        for (Map.Entry<Instant, List<Map<String, Object>>> hour : byHour.entrySet()) {
            Boolean written = transactions.executeWrite(status -> {
                if (alreadyEmitted(organizationId, hour.getKey())) {
                    return false;
                }
                jdbc.prepareStatement("INSERT INTO usage_anomaly_emitted (organization_id, granularity, bucket_start, emitted_at) VALUES (?, ?, ?, ?)", statement -> {
                    statement.setLong(1, organizationId);
                    statement.setString(2, GRANULARITY);
                    statement.setObject(3, TimeBuckets.toColumn(hour.getKey()));
                    statement.setObject(4, TimeBuckets.toColumn(now));
                    return statement.executeUpdate();
                });
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("granularity", GRANULARITY);
                payload.put("start", hour.getKey().toString());
                payload.put("end", hour.getKey().plus(Duration.ofHours(1)).toString());
                payload.put("localStart", hour.getKey().atZone(zone).toLocalDateTime().toString());
                payload.put("timeZone", zone.getId());
                payload.put("threshold", RobustScore.THRESHOLD);
                payload.put("metrics", hour.getValue());
                webhooks.enqueue(organizationId, WebhookEventTypes.USAGE_ANOMALY, payload);
                return true;
            });
            if (Boolean.TRUE.equals(written)) {
                recorded++;
            }
        }
        return recorded;
    }

    private boolean alreadyEmitted(long organizationId, Instant bucket) {
        return jdbc.prepareStatement("SELECT COUNT(*) FROM usage_anomaly_emitted WHERE organization_id = ? AND granularity = ? AND bucket_start = ?", statement -> {
            statement.setLong(1, organizationId);
            statement.setString(2, GRANULARITY);
            statement.setObject(3, TimeBuckets.toColumn(bucket));
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1) > 0;
            }
        });
    }
}
