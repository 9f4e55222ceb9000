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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two instances running {@link ReportNoticeJob} at the same instant, day after day: exactly one {@code usage.daily_summary}
 * delivery per organization and day (and one {@code report.completed} per month), whichever instance records it.
 */
class ReportNoticeTwoInstancesIT extends ServerTest {

    static final Map<String, String> JOB_PROPERTIES = Map.of(MutableClock.ENABLE, "true", "meterline.analytics.scheduled-roll", "false",
            "meterline.analytics.mark-ttl", "0s", "meterline.report.notice-interval", "1h", "meterline.webhooks.dispatch-interval", "1h");

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
        properties.putAll(JOB_PROPERTIES);
        properties.put("meterline.webhooks.allow-http", "true");
        properties.put("meterline.webhooks.allowed-hosts", "localhost");
        return properties;
    }

    @Test
    void bothInstancesAtOnceSendOneDailySummaryPerOrganizationAndDay() throws Exception {
        clock.set(Instant.parse("2026-07-31T04:00:00Z"));
        Rows rows = new Rows(transactions);
        List<Long> organizations = new ArrayList<>();
        List<Fixtures.Tenant> tenants = new ArrayList<>();
        for (String zone : List.of("UTC", "Asia/Kathmandu", "America/New_York", "Asia/Tokyo")) {
            Fixtures.Tenant tenant = Fixtures.tenant(api, "notice-two-" + organizations.size(), zone);
            organizations.add(GlobalId.decode(tenant.organizationId()).orElseThrow().id());
            tenants.add(tenant);
            TestApi.Response endpoint = api.graphql(tenant.adminToken(), "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {"
                    + " userErrors { code message } } }", Map.of("input", Map.of("url", "http://localhost:9/hook", "eventTypes",
                    List.of("usage.daily_summary", "report.completed"))));
            assertThat(endpoint.at("data.webhookEndpointCreate.userErrors")).as(endpoint.body()).isEqualTo(List.of());
        }
        // A call on August 1st (UTC noon), recorded an hour later.
        clock.set(Instant.parse("2026-08-01T13:00:00Z"));
        for (Fixtures.Tenant tenant : tenants) {
            TestApi.Response usage = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(Map.of("id", "d1", "timestamp", "2026-08-01T12:00:00Z",
                    "provider", "openai", "model", "gpt-4o", "meters", Map.of("input_tokens", 1000, "output_tokens", 0))))));
            assertThat(usage.status()).as(usage.body()).isEqualTo(200);
        }
        List<String> days = List.of("2026-08-01", "2026-08-02", "2026-08-03");
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (EmbeddedServer second = startSecondInstance(JOB_PROPERTIES)) {
            MutableClock secondClock = second.getApplicationContext().getBean(MutableClock.class);
            List<ReportNoticeJob> jobs = List.of(job, second.getApplicationContext().getBean(ReportNoticeJob.class));
            for (String day : days) {
                // Noon UTC the day after: every organization's day has ended (Tokyo's and Kathmandu's hours ago, New York's at 04:00Z).
                Instant now = Instant.parse(day + "T12:00:00Z").plus(Duration.ofDays(1));
                clock.set(now);
                secondClock.set(now);
                roller.rollAll();
                long noticesBefore = rows.count("SELECT COUNT(*) FROM usage_report_notice");
                CountDownLatch ready = new CountDownLatch(2);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> runs = new ArrayList<>();
                for (ReportNoticeJob instance : jobs) {
                    runs.add(threads.submit(() -> {
                        ready.countDown();
                        go.await();
                        return instance.runNow();
                    }));
                }
                ready.await();
                go.countDown();
                int recorded = 0;
                for (Future<Integer> run : runs) {
                    recorded += run.get(60, TimeUnit.SECONDS);
                }
                // Between them the two runs recorded each notice once: four summaries (and July's four reports on the first day).
                long notices = rows.count("SELECT COUNT(*) FROM usage_report_notice") - noticesBefore;
                assertThat(recorded).as(day).isEqualTo(notices).isEqualTo(day.equals("2026-08-01") ? 8 : 4);
            }
        }
        finally {
            threads.shutdownNow();
        }
        for (long organizationId : organizations) {
            for (String day : days) {
                assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ? AND event_type = 'usage.daily_summary' AND payload LIKE ?",
                        organizationId, "%\"date\":\"" + day + "\"%")).as(organizationId + " " + day).isEqualTo(1);
            }
            assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ? AND event_type = 'usage.daily_summary'", organizationId))
                    .isEqualTo(days.size());
            assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ? AND event_type = 'report.completed'", organizationId))
                    .isEqualTo(1);
        }
        // The day with usage carries it, whichever instance wrote it.
        assertThat((String) rows.value("SELECT payload FROM webhook_delivery WHERE organization_id = ? AND event_type = 'usage.daily_summary' AND payload LIKE ?",
                organizations.get(0), "%\"date\":\"2026-08-01\"%")).contains("\"tokens\":\"1000\"", "\"requests\":1");
    }
}
