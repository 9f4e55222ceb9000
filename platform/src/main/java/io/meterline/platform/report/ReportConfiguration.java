package io.meterline.platform.report;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * Usage reports ({@code meterline.report.*}; defaults in application.yml).
 *
 * @param grace how long after the end of an organization's local month its report stays CURRENT: usage arriving late
 *              (clients send batches a little after the fact) still counts, and the month's figures are final after it
 * @param noticeInterval how often each instance looks for daily summaries and completed reports to send
 */
@ConfigurationProperties("meterline.report")
public record ReportConfiguration(Duration grace, Duration noticeInterval) {
}
