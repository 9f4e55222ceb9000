package io.meterline.platform.invoice;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.Money;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderRegistry;

/** GraphQL wiring of invoices, tax rates and late usage. Inputs are read once here into the service's records. */
@Singleton
public class InvoiceGraphQL implements GraphQLWiring, BatchLoaders {

    /** DataLoader of an invoice's lines by invoice id: one query behind a page of invoices. */
    static final String LINES = "invoiceLines";
    /** DataLoader of invoices by row id (reissueOf). */
    static final String INVOICES = "invoices";
    /** DataLoader of an invoice's feature charges by invoice id. */
    static final String FEATURES = "invoiceFeatureCharges";
    /** DataLoader of a draft's figures as they would be computed now, by invoice id: computed once per draft and request. */
    static final String DRAFTS = "invoiceDrafts";

    private final InvoiceService invoices;
    private final TaxRates taxRates;
    private final InvoiceStore store;

    public InvoiceGraphQL(InvoiceService invoices, TaxRates taxRates, InvoiceStore store) {
        this.invoices = invoices;
        this.taxRates = taxRates;
        this.store = store;
    }

    @Override
    public void register(DataLoaderRegistry registry) {
        DataLoader<Long, List<InvoiceLine>> lines = DataLoaderFactory.newMappedDataLoader((Set<Long> ids) ->
                CompletableFuture.completedFuture(store.lines(List.copyOf(ids))));
        registry.register(LINES, lines);
        DataLoader<Long, List<InvoiceFeatureCharge>> features = DataLoaderFactory.newMappedDataLoader((Set<Long> ids) ->
                CompletableFuture.completedFuture(store.featureCharges(List.copyOf(ids))));
        registry.register(FEATURES, features);
        DataLoader<Long, InvoiceService.DraftFigures> drafts = DataLoaderFactory.newMappedDataLoader((Set<Long> ids) -> {
            Map<Long, InvoiceService.DraftFigures> figures = new HashMap<>();
            ids.forEach(id -> invoices.draftFigures(id).ifPresent(draft -> figures.put(id, draft)));
            return CompletableFuture.completedFuture(figures);
        });
        registry.register(DRAFTS, drafts);
        registry.register(INVOICES, BatchLoaders.byId(ids -> ids.stream().map(store::find).flatMap(java.util.Optional::stream).toList(), Invoice::id));
    }

    /** {@code InvoicePeriodCloseInput}. */
    record CloseInput(@Nullable String organizationId, @Nullable String month) {
        static CloseInput of(Map<String, Object> input) {
            return new CloseInput((String) input.get("organizationId"), (String) input.get("month"));
        }
    }

    /** {@code TaxExemptionSetInput}. */
    record ExemptionInput(@Nullable String organizationId, boolean exempt, @Nullable String reason) {
        static ExemptionInput of(Map<String, Object> input) {
            return new ExemptionInput((String) input.get("organizationId"), Boolean.TRUE.equals(input.get("exempt")), (String) input.get("reason"));
        }
    }

    /** {@code CreditNoteCreateInput}: the schema's enum arrives as its name. */
    private static InvoiceService.CreditNoteInput creditNoteInput(Map<String, Object> input) {
        return new InvoiceService.CreditNoteInput((String) input.get("invoiceId"), input.get("amount") instanceof BigDecimal amount ? amount : null,
                (String) input.get("reason"), input.get("settlement") instanceof String settlement ? CreditNoteSettlement.valueOf(settlement) : null);
    }

    /** The {@code invoiceId} of the inputs that name only an invoice. */
    @Nullable
    private static String invoiceId(Map<String, Object> input) {
        return (String) input.get("invoiceId");
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("invoices", this::page)
                .dataFetcher("invoice", environment -> invoices.find(viewer(environment), environment.getArgument("id")))
                .dataFetcher("taxRates", environment -> taxRates.list(viewer(environment), environment.getArgument("country")))
                .dataFetcher("lateUsageForReview", environment -> invoices.lateUsage(viewer(environment), environment.getArgument("organizationId")).stream()
                        .map(InvoiceGraphQL::lateUsage).toList()));
        wiring.type("Mutation", type -> type
                .dataFetcher("invoicePeriodClose", environment -> {
                    CloseInput input = CloseInput.of(environment.getArgument("input"));
                    return Payloads.of("invoice", () -> invoices.closeByHand(viewer(environment), input.organizationId(), input.month()));
                })
                .dataFetcher("taxRateSet", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    TaxRates.RateInput rate = new TaxRates.RateInput((String) input.get("country"), (String) input.get("region"), (String) input.get("name"),
                            input.get("percent") instanceof BigDecimal percent ? percent : null,
                            input.get("effectiveFrom") instanceof LocalDate from ? from : null, input.get("effectiveTo") instanceof LocalDate to ? to : null);
                    return Payloads.of("taxRate", () -> taxRates.set(viewer(environment), rate));
                })
                .dataFetcher("taxExemptionSet", environment -> {
                    ExemptionInput input = ExemptionInput.of(environment.getArgument("input"));
                    return Payloads.of("exempt", () -> taxRates.setExemption(viewer(environment), input.organizationId(), input.exempt(), input.reason()));
                })
                .dataFetcher("invoicePaymentRecord", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    InvoiceService.PaymentInput payment = new InvoiceService.PaymentInput((String) input.get("invoiceId"),
                            input.get("amount") instanceof BigDecimal amount ? amount : null, paidAt(input.get("paidAt")), (String) input.get("reference"));
                    return Payloads.of("invoice", () -> invoices.recordPayment(viewer(environment), payment));
                })
                .dataFetcher("creditNoteCreate", environment -> {
                    InvoiceService.CreditNoteInput note = creditNoteInput(environment.getArgument("input"));
                    return Payloads.fields(() -> {
                        InvoiceStore.CreditNote created = invoices.createCreditNote(viewer(environment), note);
                        Map<String, Object> payload = new HashMap<>();
                        payload.put("creditNote", creditNote(created, store.find(created.invoiceId()).orElseThrow().currency()));
                        payload.put("invoice", store.find(created.invoiceId()).orElseThrow());
                        return payload;
                    });
                })
                .dataFetcher("invoiceMarkUncollectible", environment -> {
                    String invoiceId = invoiceId(environment.getArgument("input"));
                    return Payloads.of("invoice", () -> invoices.markUncollectible(viewer(environment), invoiceId));
                })
                .dataFetcher("invoiceVoid", environment -> {
                    String invoiceId = invoiceId(environment.getArgument("input"));
                    return Payloads.of("invoice", () -> invoices.voidAndReissue(viewer(environment), invoiceId));
                }));
        wiring.type("Invoice", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(InvoiceService.INVOICE_TYPE, invoice(environment).id()))
                .dataFetcher("status", environment -> invoice(environment).status().name())
                .dataFetcher("periodEnd", environment -> invoice(environment).periodEnd().minusDays(1))
                .dataFetcher("reissueOf", environment -> BatchLoaders.load(environment, INVOICES, invoice(environment).reissueOf()))
                .dataFetcher("billTo", environment -> billTo(invoice(environment).billTo()))
                .dataFetcher("lines", environment -> {
                    Invoice invoice = invoice(environment);
                    if (invoice.status() == InvoiceStatus.DRAFT) {
                        return draft(environment, invoice, draft -> draft.lines().stream().map(line -> line(line, invoice.currency())).toList(), List.of());
                    }
                    DataLoader<Long, List<InvoiceLine>> loader = environment.getDataLoader(LINES);
                    return loader.load(invoice.id()).thenApply(lines -> (lines == null ? List.<InvoiceLine>of() : lines).stream()
                            .map(line -> line(line, invoice.currency())).toList());
                })
                .dataFetcher("featureCharges", environment -> {
                    Invoice invoice = invoice(environment);
                    if (invoice.status() == InvoiceStatus.DRAFT) {
                        return draft(environment, invoice, draft -> draft.featureCharges().stream().map(charge -> featureCharge(charge, invoice.currency())).toList(),
                                List.of());
                    }
                    DataLoader<Long, List<InvoiceFeatureCharge>> loader = environment.getDataLoader(FEATURES);
                    return loader.load(invoice.id()).thenApply(charges -> (charges == null ? List.<InvoiceFeatureCharge>of() : charges).stream()
                            .map(charge -> featureCharge(charge, invoice.currency())).toList());
                })
                .dataFetcher("subtotal", environment -> figure(environment, Invoice::subtotal, InvoiceService.DraftFigures::subtotal))
                .dataFetcher("taxPercent", environment -> invoice(environment).taxPercent() == null ? null : invoice(environment).taxPercent().stripTrailingZeros())
                .dataFetcher("tax", environment -> figure(environment, Invoice::tax, InvoiceService.DraftFigures::tax))
                .dataFetcher("total", environment -> figure(environment, Invoice::total, InvoiceService.DraftFigures::total))
                .dataFetcher("amountPaid", environment -> money(invoice(environment).amountPaid(), invoice(environment).currency()))
                .dataFetcher("amountCredited", environment -> money(invoice(environment).amountCredited(), invoice(environment).currency()))
                .dataFetcher("amountDue", environment -> money(invoice(environment).amountDue(), invoice(environment).currency()))
                .dataFetcher("payments", environment -> store.payments(invoice(environment).id()).stream()
                        .map(payment -> payment(payment, invoice(environment).currency())).toList())
                .dataFetcher("creditNotes", environment -> {
                    Invoice invoice = invoice(environment);
                    return store.creditNotes(invoice.id()).stream().map(note -> creditNote(note, invoice.currency())).toList();
                })
                .dataFetcher("pdfUrl", environment -> InvoicePdfController.path(invoice(environment).id())));
    }

    /** A draft's figure as it would be computed now (see {@link InvoiceService#draftFigures}); the stored one of any other invoice. */
    private static CompletableFuture<Money> figure(DataFetchingEnvironment environment, Function<Invoice, BigDecimal> stored,
                                                   Function<InvoiceService.DraftFigures, BigDecimal> drafted) {
        Invoice invoice = invoice(environment);
        if (invoice.status() != InvoiceStatus.DRAFT) {
            return CompletableFuture.completedFuture(money(stored.apply(invoice), invoice.currency()));
        }
        return draft(environment, invoice, draft -> money(drafted.apply(draft), invoice.currency()), money(stored.apply(invoice), invoice.currency()));
    }

    /** What {@code read} takes from a draft's figures; {@code otherwise} when the invoice is no draft any more. */
    private static <T> CompletableFuture<T> draft(DataFetchingEnvironment environment, Invoice invoice, Function<InvoiceService.DraftFigures, T> read, T otherwise) {
        DataLoader<Long, InvoiceService.DraftFigures> loader = environment.getDataLoader(DRAFTS);
        return loader.load(invoice.id()).thenApply(draft -> draft == null ? otherwise : read.apply(draft));
    }

    private Connection<Invoice> page(DataFetchingEnvironment environment) {
        int first = Connection.first(environment);
        String status = environment.getArgument("status");
        InvoiceService.Page page = invoices.page(viewer(environment), environment.getArgument("organizationId"),
                status == null ? null : InvoiceStatus.valueOf(status), Connection.after(environment, Long.MAX_VALUE), first + 1);
        return Connection.of(page.invoices(), first, Invoice::id, environment.getArgument("after") != null, page.totalCount());
    }

    private static Invoice invoice(DataFetchingEnvironment environment) {
        return environment.getSource();
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }

    private static Instant paidAt(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof java.time.OffsetDateTime time) {
            return time.toInstant();
        }
        if (value instanceof Instant instant) {
            return instant;
        }
        throw MeterlineException.badInput("paidAt is no DateTime");
    }

    /** An amount as the API shows it: in the currency's minor unit (stored amounts are rounded to it already). */
    static Money money(BigDecimal amount, String currency) {
        return new Money(Money.toMinorUnit(amount, currency), currency);
    }

    private static Map<String, Object> line(InvoiceLine line, String currency) {
        Map<String, Object> view = new HashMap<>();
        view.put("kind", line.kind().name());
        view.put("description", line.description());
        view.put("usagePeriod", line.usagePeriod());
        view.put("quantity", plain(line.quantity()));
        view.put("unit", line.unit());
        view.put("unitPrice", new Money(line.unitPrice(), currency));
        view.put("amount", money(line.amount(), currency));
        return view;
    }

    private static Map<String, Object> featureCharge(InvoiceFeatureCharge charge, String currency) {
        Map<String, Object> view = new HashMap<>();
        view.put("feature", charge.feature());
        view.put("amount", money(charge.amount(), currency));
        view.put("share", plain(charge.share()));
        return view;
    }

    /** A quantity without trailing zeros, never in exponent form. */
    static BigDecimal plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    private static Map<String, Object> billTo(BillTo billTo) {
        if (billTo == null) {
            return null;
        }
        Map<String, Object> view = new HashMap<>();
        view.put("companyName", billTo.company());
        view.put("contactName", billTo.contact());
        view.put("billingEmail", billTo.email());
        view.put("billingPhone", billTo.phone());
        view.put("addressLine1", billTo.addressLine1());
        view.put("addressLine2", billTo.addressLine2());
        view.put("city", billTo.city());
        view.put("region", billTo.region());
        view.put("postalCode", billTo.postalCode());
        view.put("country", billTo.country());
        return view;
    }

    private static Map<String, Object> payment(InvoiceStore.Payment payment, String currency) {
        return Map.of("amount", money(payment.amount(), currency), "method", payment.method(), "reference", payment.reference(), "paidAt", payment.paidAt());
    }

    private static Map<String, Object> creditNote(InvoiceStore.CreditNote note, String currency) {
        Map<String, Object> view = new HashMap<>(Map.of("number", note.number(), "kind", note.kind(), "amount", money(note.amount(), currency), "reason",
                note.reason(), "createdAt", note.createdAt()));
        view.put("settlement", note.settlement() == null ? null : note.settlement().name());
        view.put("stripeCreditNoteId", note.stripeCreditNoteId());
        return view;
    }

    private static Map<String, Object> lateUsage(InvoiceStore.LateUsage late) {
        return Map.of("usagePeriod", late.usagePeriod(), "model", late.dimensionValue(), "amount", money(late.amount(), late.currency()), "foundAt", late.foundAt());
    }

    /** Node loader of invoices: {@code node(id:)} under the same tenant rules as {@code invoice(id:)}. */
    @Factory
    static class InvoiceNodes {

        @Singleton
        NodeLoader<Invoice> invoiceNodes(InvoiceStore store) {
            return NodeLoader.of(InvoiceService.INVOICE_TYPE, Invoice.class, store::find, invoice -> Owner.organization(invoice.organizationId()));
        }
    }
}
