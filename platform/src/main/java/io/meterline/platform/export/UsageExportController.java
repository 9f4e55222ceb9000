package io.meterline.platform.export;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.ViewerZones;
import io.meterline.platform.usage.UsageQueries;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpParameters;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Named;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.ExecutorService;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code GET /v1/usage/export.csv} and {@code GET /v1/usage/export.json}: usage events of any range with the filters of
 * {@code usageEvents} (same names, same tenancy: another organization is NOT_FOUND), signed in with the same bearer token
 * as {@code /graphql}, streamed ({@link UsageExporter}). Days of the range are read in the viewer's zone, as
 * {@code usageEvents} reads them; times in the file carry the organization's offset.
 */
@Controller("/v1/usage")
public class UsageExportController {

    private final UsageExporter exporter;
    private final UsageQueries queries;
    private final TenantScope tenantScope;
    private final ViewerZones zones;
    private final OrganizationRepository organizations;
    private final Clock clock;
    /** Runs the statement: blocking JDBC stays off the Netty event loop that asks for the next chunk. */
    private final Scheduler io;

    UsageExportController(UsageExporter exporter, UsageQueries queries, TenantScope tenantScope, ViewerZones zones, OrganizationRepository organizations,
                          Clock clock, @Named(TaskExecutors.IO) ExecutorService executor) {
        this.exporter = exporter;
        this.queries = queries;
        this.tenantScope = tenantScope;
        this.zones = zones;
        this.organizations = organizations;
        this.clock = clock;
        this.io = Schedulers.fromExecutorService(executor);
    }

    /** The query parameters, named as {@code usageEvents}' arguments; {@code from} and {@code to} are days (yyyy-MM-dd). */
    record Parameters(@Nullable String organizationId, @Nullable String preset, @Nullable String from, @Nullable String to, @Nullable String provider,
                      @Nullable String model, @Nullable Boolean unpricedOnly, @Nullable String key, @Nullable String mode, @Nullable String status,
                      @Nullable String accountId) {

        static Parameters of(HttpRequest<?> request) {
            HttpParameters query = request.getParameters();
            String unpriced = query.get("unpricedOnly");
            return new Parameters(query.get("organizationId"), query.get("preset"), query.get("from"), query.get("to"), query.get("provider"), query.get("model"),
                    unpriced == null ? null : Boolean.parseBoolean(unpriced), query.get("key"), query.get("mode"), query.get("status"), query.get("accountId"));
        }
    }

    @Get(uri = "/export.csv", produces = "text/csv")
    public HttpResponse<?> csv(Authentication authentication, HttpRequest<?> request) {
        return download(authentication, Parameters.of(request), UsageExporter.Format.CSV);
    }

    @Get(uri = "/export.json", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> json(Authentication authentication, HttpRequest<?> request) {
        return download(authentication, Parameters.of(request), UsageExporter.Format.JSON);
    }

    private HttpResponse<?> download(Authentication authentication, Parameters parameters, UsageExporter.Format format) {
        Viewer viewer = Viewer.from(authentication);
        try {
            long id = tenantScope.organizationFor(viewer, parameters.organizationId());
            Organization organization = organizations.findById(id).orElseThrow(() -> MeterlineException.notFound(parameters.organizationId()));
            DayRange days = parameters.preset() == null && parameters.from() == null && parameters.to() == null ? null
                    : DayRange.of(Downloads.enumValue(DayRange.Preset.class, parameters.preset(), "preset"), Downloads.day(parameters.from(), "from"),
                    Downloads.day(parameters.to(), "to"), zones.zoneFor(viewer.userId(), id), clock);
            UsageQueries.Filter filter = new UsageQueries.Filter(parameters.provider(), parameters.model(), Boolean.TRUE.equals(parameters.unpricedOnly()),
                    days == null ? null : days.start(), days == null ? null : days.end(),
                    parameters.key() == null ? null : queries.apiKeysMatching(id, parameters.key()), parameters.mode(),
                    Downloads.enumValue(UsageQueries.StatusFilter.class, parameters.status(), "status"), parameters.accountId());
            ZoneId zone = organization.zone();
            String extension = format == UsageExporter.Format.CSV ? "csv" : "json";
            return Downloads.attachment(exporter.stream(id, filter, zone, format).subscribeOn(io),
                    format == UsageExporter.Format.CSV ? Downloads.TEXT_CSV : MediaType.APPLICATION_JSON_TYPE,
                    Downloads.fileName("meterline-usage-" + organization.slug(), clock.instant(), zone, extension));
        }
        catch (MeterlineException e) {
            return Downloads.refusal(e);
        }
    }
}
