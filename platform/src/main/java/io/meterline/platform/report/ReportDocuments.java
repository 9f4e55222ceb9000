package io.meterline.platform.report;

import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.FontFactory;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import io.meterline.platform.analytics.AnalyticsGraphQL;
import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.analytics.Dimension;
import io.meterline.platform.analytics.Totals;
import io.meterline.platform.profile.CompanyDetails;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * A report's PDF (OpenPDF), CSV and JSON, written from one {@link ReportDocument}. Every number is written as the API
 * answers it (tokens as plain decimals, costs as the {@code Money.amount} string with its currency), so a document
 * read back equals {@code usageReport}.
 */
@Singleton
public class ReportDocuments {

    /** The CSV's columns: one row for the month, one for the month before, one per day, one per group of every breakdown. */
    public static final List<String> CSV_HEADER = List.of("section", "key", "from", "to", "tokens", "requests", "cost", "currency", "token_share", "cost_share");
    /** The team summary's columns. */
    public static final List<String> TEAMS_HEADER = List.of("team", "tokens", "requests", "cost", "currency", "token_share", "cost_share");

    private final JsonMapper json;

    ReportDocuments(JsonMapper json) {
        this.json = json;
    }

    public String csv(ReportDocument document) {
        UsageReport report = document.report();
        List<List<Object>> rows = new ArrayList<>();
        rows.add(row("TOTAL", report.month().toString(), report.days().from(), report.days().to(), document.totals(), document, null));
        io.meterline.platform.time.DayRange previous = UsageReportService.previous(report);
        rows.add(row("PREVIOUS", report.month().minusMonths(1).toString(), previous.from(), previous.to(), document.previous(), document, null));
        for (AnalyticsService.SeriesBucket day : document.daily()) {
            rows.add(row("DAY", day.bucket().date().toString(), day.bucket().date(), day.bucket().date(), day.totals(), document, null));
        }
        for (Dimension dimension : UsageReportService.REPORT_DIMENSIONS) {
            for (AnalyticsGraphQL.GroupView group : groups(document, dimension)) {
                rows.add(row(dimension.name(), group.key(), report.days().from(), report.days().to(), group.totals(), document, group));
            }
        }
        return csv(CSV_HEADER, rows);
    }

    /** Team summaries: one row per team of the month, by cost. */
    public String teamsCsv(ReportDocument document) {
        List<List<Object>> rows = new ArrayList<>();
        for (AnalyticsGraphQL.GroupView group : groups(document, Dimension.TEAM)) {
            rows.add(List.of(group.key(), tokens(group.totals().tokens()), group.totals().requests(), cost(group.totals(), document), document.figure().currency(),
                    group.tokenShare(), group.costShare()));
        }
        return csv(TEAMS_HEADER, rows);
    }

    public String json(ReportDocument document) {
        UsageReport report = document.report();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", report.globalId());
        body.put("period", report.month().toString());
        body.put("from", report.days().from().toString());
        body.put("to", report.days().to().toString());
        body.put("start", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(report.days().start().atZone(report.days().zone())));
        body.put("end", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(report.days().end().atZone(report.days().zone())));
        body.put("timeZone", report.days().zone().getId());
        body.put("status", report.status().name());
        body.put("generatedAt", report.generatedAt().toString());
        body.put("organization", document.organizationName());
        body.put("billTo", document.billTo() == null ? null : billTo(document.billTo()));
        body.put("totals", measures(document.totals(), document));
        body.put("previous", measures(document.previous(), document));
        body.put("daily", document.daily().stream().map(day -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("date", day.bucket().date().toString());
            entry.putAll(measures(day.totals(), document));
            return entry;
        }).toList());
        Map<String, Object> breakdowns = new LinkedHashMap<>();
        for (Dimension dimension : UsageReportService.REPORT_DIMENSIONS) {
            breakdowns.put(dimension.name(), groups(document, dimension).stream().map(group -> {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("key", group.key());
                entry.putAll(measures(group.totals(), document));
                entry.put("tokenShare", group.tokenShare());
                entry.put("costShare", group.costShare());
                return entry;
            }).toList());
        }
        body.put("breakdowns", breakdowns);
        try {
            return json.writeValueAsString(body);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PDF: heading, BILL TO, totals with the month before, days, then every breakdown. */
    public byte[] pdf(ReportDocument document) {
        UsageReport report = document.report();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Document pdf = new Document(PageSize.A4, 40, 40, 40, 40);
        try {
            PdfWriter.getInstance(pdf, out);
            pdf.open();
            Font title = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 16);
            Font heading = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 11);
            Font body = FontFactory.getFont(FontFactory.HELVETICA, 9);
            pdf.add(new Paragraph("Usage report " + report.month() + " - " + document.organizationName(), title));
            pdf.add(new Paragraph("Period " + report.days().from() + " to " + report.days().to() + " (" + report.days().zone().getId() + ")", body));
            pdf.add(new Paragraph("Status " + report.status().name() + ", generated " + report.generatedAt(), body));
            pdf.add(new Paragraph(" ", body));
            pdf.add(new Paragraph("BILL TO", heading));
            for (String line : billToLines(document.billTo())) {
                pdf.add(new Paragraph(line, body));
            }
            pdf.add(new Paragraph(" ", body));
            pdf.add(new Paragraph("Totals", heading));
            PdfPTable totals = table(body, "", "Tokens", "Requests", "Cost", "Currency");
            cells(totals, body, "Month", document.totals(), document);
            cells(totals, body, "Previous month", document.previous(), document);
            pdf.add(totals);
            for (Dimension dimension : UsageReportService.REPORT_DIMENSIONS) {
                List<AnalyticsGraphQL.GroupView> groups = groups(document, dimension);
                if (groups.isEmpty()) {
                    continue;
                }
                pdf.add(new Paragraph("By " + dimension.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), heading));
                PdfPTable table = table(body, dimension.name(), "Tokens", "Requests", "Cost", "Currency");
                for (AnalyticsGraphQL.GroupView group : groups) {
                    cells(table, body, group.key().isEmpty() ? "(none)" : group.key(), group.totals(), document);
                }
                pdf.add(table);
            }
            pdf.add(new Paragraph("Days", heading));
            PdfPTable days = table(body, "Day", "Tokens", "Requests", "Cost", "Currency");
            for (AnalyticsService.SeriesBucket day : document.daily()) {
                cells(days, body, day.bucket().date().toString(), day.totals(), document);
            }
            pdf.add(days);
        }
        catch (DocumentException e) {
            throw new IllegalStateException("Writing a report PDF failed", e);
        }
        finally {
            pdf.close();
        }
        return out.toByteArray();
    }

    /** The BILL TO block's lines, as invoices show it; a note while no company details were saved. */
    static List<String> billToLines(CompanyDetails details) {
        if (details == null) {
            return List.of("No company details saved yet");
        }
        String cityLine = Stream.of(details.city(), details.region(), details.postalCode()).filter(Objects::nonNull).filter(part -> !part.isBlank())
                .reduce((left, right) -> left + " " + right).orElse(null);
        return Stream.of(details.companyName(), details.contactName(), details.addressLine1(), details.addressLine2(), cityLine, details.country(),
                details.billingEmail(), details.billingPhone()).filter(Objects::nonNull).filter(line -> !line.isBlank()).toList();
    }

    private static Map<String, Object> billTo(CompanyDetails details) {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("companyName", details.companyName());
        block.put("contactName", details.contactName());
        block.put("addressLine1", details.addressLine1());
        block.put("addressLine2", details.addressLine2());
        block.put("city", details.city());
        block.put("region", details.region());
        block.put("postalCode", details.postalCode());
        block.put("country", details.country());
        block.put("billingEmail", details.billingEmail());
        return block;
    }

    private static PdfPTable table(Font font, String... headers) {
        PdfPTable table = new PdfPTable(new float[] {3, 2, 1.5f, 2.5f, 1});
        table.setWidthPercentage(100);
        table.setSpacingBefore(4);
        table.setSpacingAfter(10);
        for (String header : headers) {
            table.addCell(new PdfPCell(new Phrase(header, font)));
        }
        table.setHeaderRows(1);
        return table;
    }

    private static void cells(PdfPTable table, Font font, String label, Totals totals, ReportDocument document) {
        table.addCell(new PdfPCell(new Phrase(label, font)));
        for (String value : List.of(tokens(totals.tokens()), Long.toString(totals.requests()), cost(totals, document), document.figure().currency())) {
            PdfPCell cell = new PdfPCell(new Phrase(value, font));
            cell.setHorizontalAlignment(Element.ALIGN_RIGHT);
            table.addCell(cell);
        }
    }

    private static Map<String, Object> measures(Totals totals, ReportDocument document) {
        Map<String, Object> measures = new LinkedHashMap<>();
        measures.put("tokens", tokens(totals.tokens()));
        measures.put("requests", totals.requests());
        measures.put("cost", Map.of("amount", cost(totals, document), "currencyCode", document.figure().currency()));
        measures.put("originalCost", totals.cost().entrySet().stream().map(entry -> Map.of("amount", entry.getValue().toPlainString(), "currencyCode", entry.getKey()))
                .toList());
        return measures;
    }

    private static List<Object> row(String section, String key, Object from, Object to, Totals totals, ReportDocument document, AnalyticsGraphQL.GroupView group) {
        List<Object> row = new ArrayList<>();
        row.add(section);
        row.add(key);
        row.add(from);
        row.add(to);
        row.add(tokens(totals.tokens()));
        row.add(totals.requests());
        row.add(cost(totals, document));
        row.add(document.figure().currency());
        row.add(group == null ? null : group.tokenShare());
        row.add(group == null ? null : group.costShare());
        return row;
    }

    private static List<AnalyticsGraphQL.GroupView> groups(ReportDocument document, Dimension dimension) {
        AnalyticsService.Breakdown breakdown = document.breakdown(dimension);
        return AnalyticsGraphQL.GroupView.of(breakdown.groups(), breakdown.totals(), dimension, document.figure());
    }

    /** The cost as {@code cost.amount} answers it: the billing-currency figure, rounded once by {@code Money}. */
    private static String cost(Totals totals, ReportDocument document) {
        return document.figure().amount(totals.billingCost()).toPlainString();
    }

    /** Tokens as a plain decimal without trailing zeros. */
    static String tokens(BigDecimal tokens) {
        return tokens.signum() == 0 ? "0" : tokens.stripTrailingZeros().toPlainString();
    }

    private static String csv(List<String> header, List<List<Object>> rows) {
        StringBuilder out = new StringBuilder();
        try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180)) {
            printer.printRecord(header);
            for (List<Object> row : rows) {
                printer.printRecord(row);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
