package io.meterline.platform.report;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.export.Downloads;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.authentication.Authentication;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/**
 * A report's documents, signed in with the same bearer token as {@code /graphql}: {@code GET /v1/reports/{id}.pdf},
 * {@code .csv}, {@code .json}, and the team summary {@code GET /v1/reports/{id}/teams.csv}. Tenancy as in
 * {@code usageReport}: another organization's report is 404, exactly as one that does not exist.
 */
@Controller("/v1/reports")
@ExecuteOn(TaskExecutors.BLOCKING)
public class UsageReportController {

    private final UsageReportService reports;
    private final ReportDocuments documents;
    private final TenantScope tenantScope;
    private final Clock clock;

    UsageReportController(UsageReportService reports, ReportDocuments documents, TenantScope tenantScope, Clock clock) {
        this.reports = reports;
        this.documents = documents;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    /** A report's document, {@code file} being its id and an extension: pdf, csv or json. */
    @Get("/{file}")
    public HttpResponse<?> document(Authentication authentication, @PathVariable String file) {
        try {
            int dot = file.lastIndexOf('.');
            String extension = dot < 0 ? "" : file.substring(dot + 1);
            if (!List.of("pdf", "csv", "json").contains(extension)) {
                throw MeterlineException.notFound(file);
            }
            UsageReport report = visible(authentication, dot < 0 ? file : file.substring(0, dot));
            ReportDocument document = reports.document(report);
            String name = fileName(document, "", extension);
            return switch (extension) {
                case "pdf" -> Downloads.attachment(documents.pdf(document), Downloads.APPLICATION_PDF, name);
                case "csv" -> Downloads.attachment(documents.csv(document).getBytes(StandardCharsets.UTF_8), Downloads.TEXT_CSV, name);
                case "json" -> Downloads.attachment(documents.json(document).getBytes(StandardCharsets.UTF_8), MediaType.APPLICATION_JSON_TYPE, name);
                default -> throw MeterlineException.notFound(file);
            };
        }
        catch (MeterlineException e) {
            return Downloads.refusal(e);
        }
    }

    /** The team summary: one row per team of the month. */
    @Get("/{id}/teams.csv")
    public HttpResponse<?> teams(Authentication authentication, @PathVariable String id) {
        try {
            ReportDocument document = reports.document(visible(authentication, id));
            return Downloads.attachment(documents.teamsCsv(document).getBytes(StandardCharsets.UTF_8), Downloads.TEXT_CSV, fileName(document, "-teams", "csv"));
        }
        catch (MeterlineException e) {
            return Downloads.refusal(e);
        }
    }

    private UsageReport visible(Authentication authentication, String id) {
        UsageReport report = reports.find(GlobalId.require(id, UsageReport.TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(Viewer.from(authentication), Owner.organization(report.organizationId()), id);
        return report;
    }

    private String fileName(ReportDocument document, String suffix, String extension) {
        String slug = reports.organization(document.report().organizationId()).slug();
        return Downloads.fileName("meterline-usage-report-" + slug + "-" + document.report().month() + suffix, clock.instant(), document.report().days().zone(),
                extension);
    }
}
