package io.meterline.platform.invoice;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.security.Viewer;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * {@code GET /v1/invoices/{id}.pdf}: an invoice's PDF, signed in with the same access token as {@code /graphql} and under
 * the same tenant rules as {@code invoice(id:)}: another organization's invoice is 404, exactly as one that does not exist.
 */
@Controller("/v1/invoices")
public class InvoicePdfController {

    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final InvoiceService invoices;
    private final InvoiceDocuments documents;
    private final Clock clock;

    public InvoicePdfController(InvoiceService invoices, InvoiceDocuments documents, Clock clock) {
        this.invoices = invoices;
        this.documents = documents;
        this.clock = clock;
    }

    /** Why a download was refused. */
    @Serdeable
    public record Problem(String code, String message) {
    }

    /** The download path of an invoice. */
    static String path(long invoiceId) {
        return "/v1/invoices/" + GlobalId.encode(InvoiceService.INVOICE_TYPE, invoiceId) + ".pdf";
    }

    @Get(value = "/{file}", produces = "application/pdf")
    public HttpResponse<?> download(Authentication authentication, @PathVariable String file) {
        try {
            if (!file.endsWith(".pdf")) {
                throw MeterlineException.notFound(file);
            }
            Invoice invoice = invoices.find(Viewer.from(authentication), file.substring(0, file.length() - ".pdf".length()));
            String name = "meterline-invoice-" + (invoice.number() == null ? "draft-" + invoice.periodStart() : invoice.number()) + "-"
                    + FILE_TIME.format(clock.instant()) + ".pdf";
            return HttpResponse.ok(documents.pdf(invoice)).contentType(MediaType.of("application/pdf"))
                    .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"");
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
}
