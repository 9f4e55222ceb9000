package io.meterline.platform.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code usage.daily_summary} after each organization's local midnight and {@code report.completed} after its month's
 * grace period, each written to the webhook outbox once per organization and period, across runs and instances.
 */
class ReportNoticeIT extends ServerTest {

    @Inject
    MutableClock clock;

    @Inject
    UsageRoller roller;

    @Inject
    ReportNoticeJob job;

    @Inject
    TransactionOperations<Connection> transactions;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.analytics.scheduled-roll", "false");
        properties.put("meterline.analytics.mark-ttl", "0s");
        // The test runs the job and the dispatcher itself; deliveries stay in the outbox.
        properties.put("meterline.report.notice-interval", "1h");
        properties.put("meterline.webhooks.dispatch-interval", "1h");
        properties.put("meterline.webhooks.allow-http", "true");
        properties.put("meterline.webhooks.allowed-hosts", "localhost");
        return properties;
    }

    @Test
    void aDailySummaryAfterLocalMidnightAndACompletedReportAfterTheGracePeriodGoOutOnce() {
        clock.set(Instant.parse("2026-07-31T04:00:00Z"));
        Fixtures.Tenant tenant = Fixtures.tenant(api, "notice-ktm", "Asia/Kathmandu");
        Fixtures.Tenant quiet = Fixtures.tenant(api, "notice-quiet", "UTC");
        long organizationId = GlobalId.decode(tenant.organizationId()).orElseThrow().id();
        Rows rows = new Rows(transactions);
        TestApi.Response endpoint = api.graphql(tenant.adminToken(), "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {"
                + " userErrors { code message } } }", Map.of("input", Map.of("url", "http://localhost:9/hook", "eventTypes", List.of("usage.daily_summary", "report.completed"))));
        assertThat(endpoint.at("data.webhookEndpointCreate.userErrors")).as(endpoint.body()).isEqualTo(List.of());
        TestApi.Response usage = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(Map.of("id", "d1", "timestamp", "2026-07-31T03:00:00Z",
                "provider", "openai", "model", "gpt-4o", "meters", Map.of("input_tokens", 1200, "output_tokens", 34))))));
        assertThat(usage.status()).as(usage.body()).isEqualTo(200);

        // 18:10Z is 23:55 in Kathmandu: the day has not ended.
        clock.set(Instant.parse("2026-07-31T18:10:00Z"));
        roller.rollAll();
        job.runNow();
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ?", organizationId)).isZero();

        // 18:20Z is 00:05 on August 1st: July 31 is summed up, once, and July's report is still CURRENT (its grace runs to 19:15Z).
        clock.set(Instant.parse("2026-07-31T18:20:00Z"));
        roller.rollAll();
        assertThat(job.runNow()).isEqualTo(1);
        assertThat(job.runNow()).isZero();
        String payload = (String) rows.value("SELECT payload FROM webhook_delivery WHERE organization_id = ? AND event_type = 'usage.daily_summary'", organizationId);
        assertThat(payload).contains("\"date\":\"2026-07-31\"", "\"timeZone\":\"Asia/Kathmandu\"", "\"tokens\":\"1234\"", "\"requests\":1", "\"currencyCode\":\"USD\"");
        // The quiet organization's day (UTC) has not ended yet.
        long quietId = GlobalId.decode(quiet.organizationId()).orElseThrow().id();
        assertThat(rows.count("SELECT COUNT(*) FROM usage_report_notice WHERE organization_id = ?", quietId)).isZero();

        // Another instance running the job at the same time finds the notice sent.
        try (EmbeddedServer second = startSecondInstance(Map.of(MutableClock.ENABLE, "true", "meterline.report.notice-interval", "1h",
                "meterline.webhooks.dispatch-interval", "1h", "meterline.analytics.scheduled-roll", "false"))) {
            second.getApplicationContext().getBean(MutableClock.class).set(clock.instant());
            assertThat(second.getApplicationContext().getBean(ReportNoticeJob.class).runNow()).isZero();
        }

        // After the grace period July's report is COMPLETED: report.completed goes out once.
        clock.set(Instant.parse("2026-07-31T19:16:00Z"));
        assertThat(job.runNow()).isEqualTo(1);
        assertThat(job.runNow()).isZero();
        String completed = (String) rows.value("SELECT payload FROM webhook_delivery WHERE organization_id = ? AND event_type = 'report.completed'", organizationId);
        assertThat(completed).contains("\"period\":\"2026-07\"", "\"from\":\"2026-07-01\"", "\"to\":\"2026-07-31\"", "\"tokens\":\"1234\"", "\"generatedAt\":\"2026-07-31T19:15:00Z\"");
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ?", organizationId)).isEqualTo(2);
        assertThat(rows.count("SELECT COUNT(*) FROM usage_report_notice WHERE organization_id = ?", organizationId)).isEqualTo(2);

        // The next day's summary is its own.
        clock.set(Instant.parse("2026-08-01T18:20:00Z"));
        roller.rollAll();
        job.runNow();
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ? AND event_type = 'usage.daily_summary'", organizationId)).isEqualTo(2);
    }
}
