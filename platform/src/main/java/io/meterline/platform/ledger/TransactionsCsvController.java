package io.meterline.platform.ledger;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.ViewerZones;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code GET /v1/transactions.csv}: the complete transaction history of seed 001 as CSV, signed in
 * with the same access token as {@code /graphql} ({@code Authorization: Bearer <access token>}),
 * honouring the filters of the {@code transactions} query. The body is streamed page by page, each
 * page a short read on the IO executor, so a long history neither sits in memory nor holds a
 * connection while the client downloads. Times are in the viewer's zone, as in the dashboard.
 */
@Controller("/v1/transactions.csv")
public class TransactionsCsvController {

    static final int PAGE_SIZE = 500;
    static final List<String> HEADER = List.of("date", "type", "account", "service", "amount", "currency", "tokens", "images", "description");
    private static final MediaType TEXT_CSV = MediaType.of("text/csv; charset=utf-8");
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final DateTimeFormatter ROW_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final LedgerService ledger;
    private final TenantScope tenantScope;
    private final ViewerZones zones;
    private final OrganizationRepository organizations;
    private final Clock clock;
    /** Runs the page reads: blocking JDBC stays off the Netty event loop that asks for the next chunk. */
    private final Scheduler pages;

    public TransactionsCsvController(LedgerService ledger, TenantScope tenantScope, ViewerZones zones, OrganizationRepository organizations, Clock clock,
                                     @Named(TaskExecutors.IO) ExecutorService executor) {
        this.ledger = ledger;
        this.tenantScope = tenantScope;
        this.zones = zones;
        this.organizations = organizations;
        this.clock = clock;
        this.pages = Schedulers.fromExecutorService(executor);
    }

    /** Why a download was refused. */
    @Serdeable
    public record Problem(String code, String message) {
    }

    /** Where the next page of a download starts. */
    private static final class Cursor {
        LedgerStore.Position before;
        boolean started;
        boolean done;
    }

    /**
     * The download.
     *
     * @param organizationId the organization's global id; platform admins must name one
     * @param type entry kinds, repeated or comma separated, such as {@code USAGE,REFUND}
     * @param preset a {@code DateRangePreset}, such as {@code LAST_30_DAYS}
     * @param from the first day (yyyy-MM-dd), inclusive, with {@code to}
     * @param to the last day, inclusive
     */
    @Get(produces = "text/csv")
    public HttpResponse<?> download(Authentication authentication, @Nullable @QueryValue String organizationId, @Nullable @QueryValue List<String> type,
                                    @Nullable @QueryValue String preset, @Nullable @QueryValue String from, @Nullable @QueryValue String to) {
        Viewer viewer = Viewer.from(authentication);
        try {
            if (viewer.isToolUser()) {
                throw MeterlineException.forbidden("An Account ID sign-in cannot download transactions");
            }
            long id = tenantScope.organizationFor(viewer, organizationId);
            Organization organization = organizations.findById(id).orElseThrow(() -> MeterlineException.notFound(organizationId));
            ZoneId zone = zones.zoneFor(viewer.userId(), id);
            Set<LedgerEntryKind> kinds = kinds(type);
            DayRange range = preset == null && from == null && to == null ? null
                    : DayRange.of(preset == null ? null : enumValue(DayRange.Preset.class, preset, "preset"), day(from, "from"), day(to, "to"), zone, clock);
            String fileName = "meterline-transactions-" + organization.slug() + "-" + FILE_TIME.format(clock.instant().atZone(zone)) + ".csv";
            Flux<byte[]> body = Flux.<byte[], Cursor>generate(Cursor::new, (cursor, sink) -> {
                if (cursor.done) {
                    sink.complete();
                    return cursor;
                }
                List<LedgerEntry> page = ledger.exportPage(id, cursor.before, kinds, range, PAGE_SIZE);
                sink.next(csv(page, !cursor.started, zone));
                cursor.started = true;
                cursor.done = page.size() < PAGE_SIZE;
                cursor.before = page.isEmpty() ? cursor.before : LedgerStore.Position.of(page.get(page.size() - 1));
                return cursor;
            }).subscribeOn(pages);
            return HttpResponse.ok(body).contentType(TEXT_CSV)
                    .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + fileName + "\"");
        }
        catch (MeterlineException e) {
            HttpStatus status = switch (e.code()) {
                case NOT_FOUND -> HttpStatus.NOT_FOUND;
                case FORBIDDEN -> HttpStatus.FORBIDDEN;
                default -> HttpStatus.BAD_REQUEST;
            };
            return HttpResponse.status(status).contentType(MediaType.APPLICATION_JSON_TYPE).body(new Problem(e.code().name(), e.getMessage()));
        }
    }

    /** One page as CSV (RFC 4180: CRLF, fields with commas, quotes or line breaks quoted), the header before the first. */
    static byte[] csv(List<LedgerEntry> entries, boolean withHeader, ZoneId zone) {
        StringBuilder out = new StringBuilder();
        try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180)) {
            if (withHeader) {
                printer.printRecord(HEADER);
            }
            for (LedgerEntry entry : entries) {
                printer.printRecord(ROW_TIME.format(entry.createdAt().atZone(zone)), entry.kind().name(), entry.account().name(), entry.service(),
                        entry.account().isTokens() ? entry.amount().toBigInteger().toString() : entry.amount().toPlainString(), entry.currencyCode(),
                        entry.tokens(), entry.images(), entry.description());
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Set<LedgerEntryKind> kinds(@Nullable List<String> values) {
        Set<LedgerEntryKind> kinds = EnumSet.noneOf(LedgerEntryKind.class);
        if (values != null) {
            for (String value : values) {
                for (String part : value.split(",")) {
                    if (!part.isBlank()) {
                        kinds.add(enumValue(LedgerEntryKind.class, part.trim(), "type"));
                    }
                }
            }
        }
        return kinds;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String parameter) {
        try {
            return Enum.valueOf(type, value);
        }
        catch (IllegalArgumentException e) {
            throw new MeterlineException(ErrorCode.BAD_USER_INPUT, parameter + " " + value + " is not one of " + EnumSet.allOf(type));
        }
    }

    @Nullable
    private static LocalDate day(@Nullable String value, String parameter) {
        try {
            return value == null ? null : LocalDate.parse(value);
        }
        catch (DateTimeParseException e) {
            throw MeterlineException.badInput(parameter + " must be a day such as 2026-06-30");
        }
    }
}
