package io.meterline.platform.report;

import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.analytics.Dimension;
import io.meterline.platform.analytics.Totals;
import io.meterline.platform.profile.CompanyDetails;
import io.meterline.platform.usage.BillingFigures;
import io.micronaut.core.annotation.Nullable;
import java.util.List;

/**
 * Everything a report's PDF, CSV and JSON show, read once: the same figures {@code usageReport} answers.
 *
 * @param organizationName the organization's name, for the heading
 * @param billTo the BILL TO block (company details), null while none was saved
 * @param totals the month's totals
 * @param previous the month before's totals
 * @param figure the figure every cost shows in
 * @param daily every local day of the month
 * @param breakdowns one per {@link UsageReportService#REPORT_DIMENSIONS}, in that order
 */
public record ReportDocument(UsageReport report, String organizationName, @Nullable CompanyDetails billTo, Totals totals, Totals previous,
                             BillingFigures.In figure, List<AnalyticsService.SeriesBucket> daily, List<AnalyticsService.Breakdown> breakdowns) {

    public AnalyticsService.Breakdown breakdown(Dimension dimension) {
        return breakdowns.get(UsageReportService.REPORT_DIMENSIONS.indexOf(dimension));
    }
}
