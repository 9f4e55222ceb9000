package io.meterline.platform.invoice;

import static io.meterline.platform.common.jdbc.TimeColumns.fromColumn;
import static io.meterline.platform.common.jdbc.TimeColumns.toColumn;

import io.meterline.platform.common.jdbc.JdbcWork;
import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.common.jdbc.SqlStates;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Invoices, their lines, payments, credit notes and number sequences, and the aggregates the close reads: the
 * rollups (never raw usage events), the ledger's usage entries and the checkouts of the period. Methods taking a
 * {@link Connection} run inside the caller's transaction; the others open their own.
 */
@Singleton
public class InvoiceStore {

    private static final String COLUMNS = "id, organization_id, period_start, issue, period_end, starts_at, ends_at, finalize_after, time_zone, status, number,"
            + " currency, subtotal, tax, total, amount_paid, amount_credited, tax_name, tax_percent, tax_exempt, bill_to_company, bill_to_contact,"
            + " bill_to_email, bill_to_phone, bill_to_address_line1, bill_to_address_line2, bill_to_city, bill_to_region, bill_to_postal_code,"
            + " bill_to_country, reissue_of, stripe_invoice_id, created_at, finalized_at, paid_at, voided_at";

    private final TransactionOperations<Connection> transactions;

    public InvoiceStore(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /** An organization as the close needs it. */
    public record OrganizationRow(long id, String timeZone, String billingCurrency, Instant createdAt) {
    }

    /** A period's usage of one provider/model, summed from the rollups. */
    public record Usage(long requests, BigDecimal tokens, BigDecimal cost) {
    }

    /** A payment received. */
    public record Payment(long id, long invoiceId, BigDecimal amount, String method, String reference, Instant paidAt, String recordedBy) {
    }

    /**
     * A credit note.
     *
     * @param settlement how it settles; null for a note on a paid invoice issued before settlements existed (it only recorded the amount)
     * @param stripeCreditNoteId Stripe's credit note, once Stripe answered; null when Stripe need not hear of it, or has not yet
     */
    public record CreditNote(long id, long invoiceId, String number, String kind, BigDecimal amount, String reason, String createdBy, Instant createdAt,
                             @Nullable CreditNoteSettlement settlement, @Nullable String stripeCreditNoteId) {
    }

    /** Late usage kept for review. */
    public record LateUsage(long id, long organizationId, LocalDate usagePeriod, String dimensionValue, String currency, BigDecimal amount, Instant foundAt) {
    }

    /** The paid plan an organization is on. */
    record Plan(String name, BigDecimal monthlyPrice, String currency) {
    }

    /** A top-up bought at checkout. */
    record TopUp(long tokens, BigDecimal amount, String currency, Instant completedAt) {
    }

    /** What a period's usage drew: plan and top-up tokens, and money credits per currency. */
    record UsageDraws(long planTokens, long topupTokens, Map<String, BigDecimal> credits) {
    }

    /**
     * The money credits around a period.
     *
     * @param opening the CREDITS balance before the period
     * @param added what entries other than usage and INVOICED added in the period (negative when refunds took more away)
     */
    record CreditsFlow(BigDecimal opening, BigDecimal added) {
    }

    /** A draft to claim a period with. */
    public record Draft(long organizationId, LocalDate periodStart, int issue, LocalDate periodEnd, Instant startsAt, Instant endsAt, Instant finalizeAfter,
                        String timeZone, String currency, @Nullable Long reissueOf, Instant now) {
    }

    <T> T write(JdbcWork<T> work) {
        return JdbcWork.write(transactions, work);
    }

    <T> T read(JdbcWork<T> work) {
        return JdbcWork.read(transactions, work);
    }

    public Optional<OrganizationRow> organization(long organizationId) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT id, time_zone, billing_currency, created_at FROM organization WHERE id = ?")) {
                statement.setLong(1, organizationId);
                List<OrganizationRow> rows = organizations(statement);
                return rows.stream().findFirst();
            }
        });
    }

    /** Every organization, for the scheduled close. */
    public List<OrganizationRow> organizations() {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT id, time_zone, billing_currency, created_at FROM organization ORDER BY id")) {
                return organizations(statement);
            }
        });
    }

    private static List<OrganizationRow> organizations(PreparedStatement statement) throws SQLException {
        List<OrganizationRow> rows = new ArrayList<>();
        try (ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                rows.add(new OrganizationRow(result.getLong(1), result.getString(2), result.getString(3), instant(result, 4)));
            }
        }
        return rows;
    }

    /** The organizations that have the invoice of this period start already (issue 0, whatever its status), among those given. */
    public java.util.Set<Long> closedAmong(List<Long> organizationIds, LocalDate periodStart) {
        if (organizationIds.isEmpty()) {
            return java.util.Set.of();
        }
        return read(connection -> {
            java.util.Set<Long> closed = new java.util.HashSet<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT organization_id FROM invoice WHERE period_start = ? AND issue = 0")) {
                statement.setObject(1, periodStart);
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        closed.add(result.getLong(1));
                    }
                }
            }
            closed.retainAll(organizationIds);
            return closed;
        });
    }

    /**
     * Claims a period with a draft, in its own transaction. The unique key (organization, period start, issue)
     * decides between concurrent closers on any instance: the loser's insert fails and it answers empty.
     */
    public Optional<Long> insertDraft(Draft draft) {
        try {
            return Optional.of(write(connection -> insertDraft(connection, draft)));
        }
        catch (RuntimeException e) {
            if (SqlStates.isDuplicateKey(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    long insertDraft(Connection connection, Draft draft) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO invoice (organization_id, period_start, issue, period_end, starts_at,"
                + " ends_at, finalize_after, time_zone, status, currency, subtotal, tax, total, amount_paid, amount_credited, tax_exempt, reissue_of,"
                + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'DRAFT', ?, 0, 0, 0, 0, 0, FALSE, ?, ?)", PreparedStatement.RETURN_GENERATED_KEYS)) {
            statement.setLong(1, draft.organizationId());
            statement.setObject(2, draft.periodStart());
            statement.setInt(3, draft.issue());
            statement.setObject(4, draft.periodEnd());
            statement.setObject(5, toColumn(draft.startsAt()));
            statement.setObject(6, toColumn(draft.endsAt()));
            statement.setObject(7, toColumn(draft.finalizeAfter()));
            statement.setString(8, draft.timeZone());
            statement.setString(9, draft.currency());
            statement.setObject(10, draft.reissueOf());
            statement.setObject(11, toColumn(draft.now()));
            statement.executeUpdate();
            try (ResultSet keys = statement.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** The drafts whose grace has ended: finalized by the next close, whoever claimed them (a crashed closer's too). */
    public List<Long> draftsDue(Instant now) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT id FROM invoice WHERE status = 'DRAFT' AND finalize_after <= ? ORDER BY id")) {
                statement.setObject(1, toColumn(now));
                List<Long> ids = new ArrayList<>();
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        ids.add(result.getLong(1));
                    }
                }
                return ids;
            }
        });
    }

    public Optional<Invoice> find(long id) {
        return read(connection -> find(connection, id, false));
    }

    /** The invoice, its row locked until the caller's transaction ends when {@code lock} is set. */
    Optional<Invoice> find(Connection connection, long id, boolean lock) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS + " FROM invoice WHERE id = ?" + (lock ? " FOR UPDATE" : ""))) {
            statement.setLong(1, id);
            return invoices(statement).stream().findFirst();
        }
    }

    public Optional<Invoice> findByPeriod(long organizationId, LocalDate periodStart, int issue) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS
                    + " FROM invoice WHERE organization_id = ? AND period_start = ? AND issue = ?")) {
                statement.setLong(1, organizationId);
                statement.setObject(2, periodStart);
                statement.setInt(3, issue);
                return invoices(statement).stream().findFirst();
            }
        });
    }

    /** The highest issue of a period (the reissue takes the next). */
    int lastIssue(Connection connection, long organizationId, LocalDate periodStart) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT MAX(issue) FROM invoice WHERE organization_id = ? AND period_start = ?")) {
            statement.setLong(1, organizationId);
            statement.setObject(2, periodStart);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        }
    }

    /** A page of the organization's invoices, newest period first (keyset by row id, descending). */
    public List<Invoice> page(long organizationId, @Nullable InvoiceStatus status, long beforeId, int limit) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS + " FROM invoice WHERE organization_id = ? AND id < ?"
                    + (status == null ? "" : " AND status = ?") + " ORDER BY id DESC LIMIT ?")) {
                int index = 1;
                statement.setLong(index++, organizationId);
                statement.setLong(index++, beforeId);
                if (status != null) {
                    statement.setString(index++, status.name());
                }
                statement.setInt(index, limit);
                return invoices(statement);
            }
        });
    }

    public long count(long organizationId, @Nullable InvoiceStatus status) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM invoice WHERE organization_id = ?"
                    + (status == null ? "" : " AND status = ?"))) {
                statement.setLong(1, organizationId);
                if (status != null) {
                    statement.setString(2, status.name());
                }
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    return result.getLong(1);
                }
            }
        });
    }

    private static List<Invoice> invoices(PreparedStatement statement) throws SQLException {
        List<Invoice> invoices = new ArrayList<>();
        try (ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                String company = row.getString("bill_to_company");
                BillTo billTo = company == null ? null : new BillTo(company, row.getString("bill_to_contact"), row.getString("bill_to_email"),
                        row.getString("bill_to_phone"), row.getString("bill_to_address_line1"), row.getString("bill_to_address_line2"),
                        row.getString("bill_to_city"), row.getString("bill_to_region"), row.getString("bill_to_postal_code"), row.getString("bill_to_country"));
                long reissueOf = row.getLong("reissue_of");
                Long reissue = row.wasNull() ? null : reissueOf;
                invoices.add(new Invoice(row.getLong("id"), row.getLong("organization_id"), row.getObject("period_start", LocalDate.class),
                        row.getInt("issue"), row.getObject("period_end", LocalDate.class), instant(row, "starts_at"), instant(row, "ends_at"),
                        instant(row, "finalize_after"), row.getString("time_zone"), InvoiceStatus.valueOf(row.getString("status")), row.getString("number"),
                        row.getString("currency"), row.getBigDecimal("subtotal"), row.getBigDecimal("tax"), row.getBigDecimal("total"),
                        row.getBigDecimal("amount_paid"), row.getBigDecimal("amount_credited"), row.getString("tax_name"), row.getBigDecimal("tax_percent"),
                        row.getBoolean("tax_exempt"), billTo, reissue, row.getString("stripe_invoice_id"), instant(row, "created_at"),
                        instant(row, "finalized_at"), instant(row, "paid_at"), instant(row, "voided_at")));
            }
        }
        return invoices;
    }

    /** Replaces a draft's lines and subtotal (a resumed finalization computes them again). */
    void replaceLines(Connection connection, long invoiceId, List<InvoiceLine> lines, BigDecimal subtotal) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM invoice_line WHERE invoice_id = ?")) {
            statement.setLong(1, invoiceId);
            statement.executeUpdate();
        }
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO invoice_line (invoice_id, position, kind, description, usage_period,"
                + " dimension_value, quantity, unit, unit_price, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int position = 0;
            for (InvoiceLine line : lines) {
                statement.setLong(1, invoiceId);
                statement.setInt(2, position++);
                statement.setString(3, line.kind().name());
                statement.setString(4, line.description());
                statement.setObject(5, line.usagePeriod());
                statement.setString(6, line.dimensionValue());
                statement.setBigDecimal(7, line.quantity());
                statement.setString(8, line.unit());
                statement.setBigDecimal(9, line.unitPrice());
                statement.setBigDecimal(10, line.amount());
                statement.addBatch();
            }
            if (!lines.isEmpty()) {
                statement.executeBatch();
            }
        }
        try (PreparedStatement statement = connection.prepareStatement("UPDATE invoice SET subtotal = ?, total = ? WHERE id = ?")) {
            statement.setBigDecimal(1, subtotal);
            statement.setBigDecimal(2, subtotal);
            statement.setLong(3, invoiceId);
            statement.executeUpdate();
        }
    }

    public List<InvoiceLine> lines(long invoiceId) {
        return read(connection -> lines(connection, List.of(invoiceId)).getOrDefault(invoiceId, List.of()));
    }

    /** The lines of several invoices at once (one statement behind a connection's page). */
    public Map<Long, List<InvoiceLine>> lines(List<Long> invoiceIds) {
        return read(connection -> lines(connection, invoiceIds));
    }

    private static Map<Long, List<InvoiceLine>> lines(Connection connection, List<Long> invoiceIds) throws SQLException {
        return perInvoice(connection, "SELECT invoice_id, kind, description, usage_period, dimension_value, quantity, unit, unit_price, amount FROM invoice_line",
                invoiceIds, row -> new InvoiceLine(LineKind.valueOf(row.getString(2)), row.getString(3), row.getObject(4, LocalDate.class), row.getString(5),
                        row.getBigDecimal(6), row.getString(7), row.getBigDecimal(8), row.getBigDecimal(9)));
    }

    /** Reads one row of a per-invoice table (its first column the invoice id). */
    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** The rows of a per-invoice table ({@code select} reads the invoice id first) of several invoices, in their position order, in one statement. */
    private static <T> Map<Long, List<T>> perInvoice(Connection connection, String select, List<Long> invoiceIds, RowReader<T> reader) throws SQLException {
        Map<Long, List<T>> rows = new LinkedHashMap<>();
        if (invoiceIds.isEmpty()) {
            return rows;
        }
        String marks = Placeholders.in(invoiceIds.size());
        try (PreparedStatement statement = connection.prepareStatement(select + " WHERE invoice_id IN (" + marks + ") ORDER BY invoice_id, position")) {
            Placeholders.bind(statement, 1, invoiceIds);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    rows.computeIfAbsent(row.getLong(1), id -> new ArrayList<>()).add(reader.read(row));
                }
            }
        }
        return rows;
    }

    /**
     * Finalizes a draft: its number, BILL TO, tax and total, status OPEN. The caller holds the invoice row's lock.
     */
    void finalizeDraft(Connection connection, long invoiceId, String number, @Nullable BillTo billTo, TaxRates.Applied tax, BigDecimal total,
                       InvoiceStatus status, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("UPDATE invoice SET number = ?, status = ?, tax = ?, total = ?, tax_name = ?,"
                + " tax_percent = ?, tax_exempt = ?, bill_to_company = ?, bill_to_contact = ?, bill_to_email = ?, bill_to_phone = ?, bill_to_address_line1 = ?,"
                + " bill_to_address_line2 = ?, bill_to_city = ?, bill_to_region = ?, bill_to_postal_code = ?, bill_to_country = ?, finalized_at = ?,"
                + " paid_at = ? WHERE id = ? AND status = 'DRAFT'")) {
            statement.setString(1, number);
            statement.setString(2, status.name());
            statement.setBigDecimal(3, tax.amount());
            statement.setBigDecimal(4, total);
            statement.setString(5, tax.name());
            statement.setBigDecimal(6, tax.percent());
            statement.setBoolean(7, tax.exempt());
            statement.setString(8, billTo == null ? null : billTo.company());
            statement.setString(9, billTo == null ? null : billTo.contact());
            statement.setString(10, billTo == null ? null : billTo.email());
            statement.setString(11, billTo == null ? null : billTo.phone());
            statement.setString(12, billTo == null ? null : billTo.addressLine1());
            statement.setString(13, billTo == null ? null : billTo.addressLine2());
            statement.setString(14, billTo == null ? null : billTo.city());
            statement.setString(15, billTo == null ? null : billTo.region());
            statement.setString(16, billTo == null ? null : billTo.postalCode());
            statement.setString(17, billTo == null ? null : billTo.country());
            statement.setObject(18, toColumn(now));
            statement.setObject(19, status == InvoiceStatus.PAID ? toColumn(now) : null);
            statement.setLong(20, invoiceId);
            if (statement.executeUpdate() != 1) {
                throw new IllegalStateException("Invoice " + invoiceId + " is no draft any more");
            }
        }
    }

    /** Sets the status (and the paid or voided time with it). */
    void setStatus(Connection connection, long invoiceId, InvoiceStatus status, Instant now) throws SQLException {
        String column = switch (status) {
            case PAID -> ", paid_at = ?";
            case VOID -> ", voided_at = ?";
            default -> "";
        };
        try (PreparedStatement statement = connection.prepareStatement("UPDATE invoice SET status = ?" + column + " WHERE id = ?")) {
            statement.setString(1, status.name());
            int index = 2;
            if (!column.isEmpty()) {
                statement.setObject(index++, toColumn(now));
            }
            statement.setLong(index, invoiceId);
            statement.executeUpdate();
        }
    }

    void setStripeInvoiceId(long invoiceId, String stripeInvoiceId) {
        write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE invoice SET stripe_invoice_id = ? WHERE id = ? AND stripe_invoice_id IS NULL")) {
                statement.setString(1, stripeInvoiceId);
                statement.setLong(2, invoiceId);
                return statement.executeUpdate();
            }
        });
    }

    /** Open invoices with something to pay that Stripe does not have yet. */
    List<Long> unsentToStripe() {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT id FROM invoice WHERE status = 'OPEN' AND stripe_invoice_id IS NULL AND total > 0"
                    + " ORDER BY id")) {
                return ids(statement);
            }
        });
    }

    /** Gives the next number of a series (its row made by {@link #ensureSeries}); the row stays locked until the caller's transaction ends, so numbers are gapless. */
    long nextNumber(Connection connection, String series) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT last_number FROM invoice_sequence WHERE series = ? FOR UPDATE")) {
            statement.setString(1, series);
            try (ResultSet result = statement.executeQuery()) {
                if (result.next()) {
                    long next = result.getLong(1) + 1;
                    try (PreparedStatement update = connection.prepareStatement("UPDATE invoice_sequence SET last_number = ? WHERE series = ?")) {
                        update.setLong(1, next);
                        update.setString(2, series);
                        update.executeUpdate();
                    }
                    return next;
                }
            }
        }
        throw new IllegalStateException("No number series " + series + ": ensureSeries creates it first");
    }

    /** Creates a series' row if missing, in its own transaction, so finalizations only ever lock an existing row. */
    void ensureSeries(String series) {
        try {
            write(connection -> {
                try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM invoice_sequence WHERE series = ?")) {
                    statement.setString(1, series);
                    try (ResultSet result = statement.executeQuery()) {
                        result.next();
                        if (result.getLong(1) > 0) {
                            return 0;
                        }
                    }
                }
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO invoice_sequence (series, last_number) VALUES (?, 0)")) {
                    insert.setString(1, series);
                    return insert.executeUpdate();
                }
            });
        }
        catch (RuntimeException e) {
            if (!SqlStates.isDuplicateKey(e)) {
                throw e;
            }
        }
    }

    /** The period's usage per {@code provider/model} in the billing currency, from the local-day rollups. */
    Map<String, Usage> usageByModel(Connection connection, long organizationId, Instant from, Instant to, String currency) throws SQLException {
        return usageByModel(connection, organizationId, from, to).getOrDefault(currency, Map.of());
    }

    /**
     * The period's usage per billing currency (the current one and any the organization was billed in before a change
     * during the period) and {@code provider/model}, from the local-day rollups; unconverted usage ('') is left out.
     */
    Map<String, Map<String, Usage>> usageByModel(Connection connection, long organizationId, Instant from, Instant to) throws SQLException {
        return byBillingCurrency(connection, organizationId, "MODEL", "SUM(requests), SUM(tokens), SUM(billing_cost)", from, to,
                row -> new Usage(row.getLong(3), row.getBigDecimal(4), row.getBigDecimal(5)));
    }

    /**
     * Sums of one dimension's local-day rollups of a period per billing currency and value ({@code sums} read by
     * {@code reader} from the third column on), both in order; unconverted usage ('') is left out.
     */
    private static <T> Map<String, Map<String, T>> byBillingCurrency(Connection connection, long organizationId, String dimension, String sums, Instant from,
                                                                     Instant to, RowReader<T> reader) throws SQLException {
        Map<String, Map<String, T>> usage = new java.util.TreeMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT billing_currency, dimension_value, " + sums + " FROM usage_rollup"
                + " WHERE organization_id = ? AND dimension = ? AND grain = 'D' AND bucket_start >= ? AND bucket_start < ? AND billing_currency <> ''"
                + " GROUP BY billing_currency, dimension_value ORDER BY billing_currency, dimension_value")) {
            statement.setLong(1, organizationId);
            statement.setString(2, dimension);
            statement.setObject(3, toColumn(from));
            statement.setObject(4, toColumn(to));
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    usage.computeIfAbsent(row.getString(1), currency -> new LinkedHashMap<>()).put(row.getString(2), reader.read(row));
                }
            }
        }
        return usage;
    }

    /**
     * The day an organization's billing currency last changed to {@code currency} before {@code before}: the day whose
     * rate converts usage billed in a former currency during a period into it. Empty when no change is recorded.
     */
    Optional<LocalDate> changedTo(Connection connection, long organizationId, String currency, LocalDate before) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT MAX(effective_from) FROM organization_billing_currency WHERE organization_id = ?"
                + " AND currency = ? AND effective_from < ?")) {
            statement.setLong(1, organizationId);
            statement.setString(2, currency);
            statement.setObject(3, before);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? Optional.ofNullable(row.getObject(1, LocalDate.class)) : Optional.empty();
            }
        }
    }

    /**
     * The period's usage cost per billing currency and feature, from the local-day rollups; '' for events naming no feature,
     * unconverted usage left out.
     */
    Map<String, Map<String, BigDecimal>> usageByFeature(Connection connection, long organizationId, Instant from, Instant to) throws SQLException {
        return byBillingCurrency(connection, organizationId, "FEATURE", "SUM(billing_cost)", from, to, row -> row.getBigDecimal(3));
    }

    /** Replaces an invoice's feature charges (a resumed finalization computes them again). */
    void replaceFeatureCharges(Connection connection, long invoiceId, List<InvoiceFeatureCharge> charges) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM invoice_feature_charge WHERE invoice_id = ?")) {
            statement.setLong(1, invoiceId);
            statement.executeUpdate();
        }
        if (charges.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO invoice_feature_charge (invoice_id, position, feature, amount, share)"
                + " VALUES (?, ?, ?, ?, ?)")) {
            int position = 0;
            for (InvoiceFeatureCharge charge : charges) {
                statement.setLong(1, invoiceId);
                statement.setInt(2, position++);
                statement.setString(3, charge.feature());
                statement.setBigDecimal(4, charge.amount());
                statement.setBigDecimal(5, charge.share());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** The feature charges of several invoices at once (one statement behind a connection's page). */
    public Map<Long, List<InvoiceFeatureCharge>> featureCharges(List<Long> invoiceIds) {
        return read(connection -> featureCharges(connection, invoiceIds));
    }

    Map<Long, List<InvoiceFeatureCharge>> featureCharges(Connection connection, List<Long> invoiceIds) throws SQLException {
        return perInvoice(connection, "SELECT invoice_id, feature, amount, share FROM invoice_feature_charge", invoiceIds,
                row -> new InvoiceFeatureCharge(row.getString(2), row.getBigDecimal(3), row.getBigDecimal(4)));
    }

    /** What invoices that are not void billed so far for a period's usage, per {@code provider/model} (USAGE and ADJUSTMENT lines). */
    Map<String, BigDecimal> billedByModel(Connection connection, long organizationId, LocalDate usagePeriod, String currency) throws SQLException {
        Map<String, BigDecimal> billed = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT l.dimension_value, SUM(l.amount) FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id"
                + " WHERE i.organization_id = ? AND i.status <> 'VOID' AND i.currency = ? AND l.usage_period = ? AND l.kind IN ('USAGE', 'ADJUSTMENT')"
                + " GROUP BY l.dimension_value")) {
            statement.setLong(1, organizationId);
            statement.setString(2, currency);
            statement.setObject(3, usagePeriod);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    billed.put(row.getString(1), row.getBigDecimal(2));
                }
            }
        }
        return billed;
    }

    /** The earlier billed periods of an organization, newest first, at most {@code limit}: where late usage is looked for. */
    List<Invoice> earlierPeriods(Connection connection, long organizationId, LocalDate before, int limit) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS + " FROM invoice WHERE organization_id = ? AND period_start < ?"
                + " AND issue = 0 ORDER BY period_start DESC LIMIT ?")) {
            statement.setLong(1, organizationId);
            statement.setObject(2, before);
            statement.setInt(3, limit);
            return invoices(statement);
        }
    }

    /** Keeps late usage too old to bill for review: one row per period and model, holding the latest difference. */
    void recordLateUsage(Connection connection, long organizationId, LocalDate usagePeriod, String dimensionValue, String currency, BigDecimal amount,
                         Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE late_usage SET amount = ?, found_at = ? WHERE organization_id = ? AND usage_period = ?"
                + " AND dimension_value = ? AND currency = ?")) {
            update.setBigDecimal(1, amount);
            update.setObject(2, toColumn(now));
            update.setLong(3, organizationId);
            update.setObject(4, usagePeriod);
            update.setString(5, dimensionValue);
            update.setString(6, currency);
            if (update.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO late_usage (organization_id, usage_period, dimension_value, currency, amount, found_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, organizationId);
            insert.setObject(2, usagePeriod);
            insert.setString(3, dimensionValue);
            insert.setString(4, currency);
            insert.setBigDecimal(5, amount);
            insert.setObject(6, toColumn(now));
            insert.executeUpdate();
        }
    }

    public List<LateUsage> lateUsage(long organizationId) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT id, organization_id, usage_period, dimension_value, currency, amount, found_at"
                    + " FROM late_usage WHERE organization_id = ? ORDER BY usage_period DESC, dimension_value")) {
                statement.setLong(1, organizationId);
                List<LateUsage> rows = new ArrayList<>();
                try (ResultSet row = statement.executeQuery()) {
                    while (row.next()) {
                        rows.add(new LateUsage(row.getLong(1), row.getLong(2), row.getObject(3, LocalDate.class), row.getString(4), row.getString(5),
                                row.getBigDecimal(6), instant(row, 7)));
                    }
                }
                return rows;
            }
        });
    }

    /**
     * The cost per billing currency of the usage of the UTC days {@code [from, to)}, from the organization's UTC-hour
     * rollups: the same events as the ledger's usage entries of those days (a usage entry's day is the UTC day of its usage).
     */
    Map<String, BigDecimal> usageCostOnUtcDays(Connection connection, long organizationId, LocalDate from, LocalDate to) throws SQLException {
        Map<String, BigDecimal> costs = new java.util.TreeMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT billing_currency, SUM(billing_cost) FROM usage_rollup WHERE organization_id = ?"
                + " AND dimension = 'ALL' AND grain = 'H' AND bucket_start >= ? AND bucket_start < ? AND billing_currency <> '' GROUP BY billing_currency")) {
            statement.setLong(1, organizationId);
            statement.setObject(2, toColumn(from.atStartOfDay(ZoneOffset.UTC).toInstant()));
            statement.setObject(3, toColumn(to.atStartOfDay(ZoneOffset.UTC).toInstant()));
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    costs.put(row.getString(1), row.getBigDecimal(2));
                }
            }
        }
        return costs;
    }

    /**
     * What the usage of the UTC days {@code [from, to)} drew from the balances, from the ledger's usage entries of those days:
     * plan and top-up tokens, and money credits per currency (positive: what was drawn).
     */
    UsageDraws usageDraws(Connection connection, long organizationId, LocalDate from, LocalDate to) throws SQLException {
        long planTokens = 0;
        long topupTokens = 0;
        Map<String, BigDecimal> credits = new java.util.TreeMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT account_kind, currency, -SUM(amount) FROM ledger_entry WHERE organization_id = ?"
                + " AND kind = 'USAGE' AND usage_day >= ? AND usage_day < ? GROUP BY account_kind, currency")) {
            statement.setLong(1, organizationId);
            statement.setObject(2, from);
            statement.setObject(3, to);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    BigDecimal drawn = row.getBigDecimal(3);
                    switch (row.getString(1)) {
                        case "PLAN_TOKENS" -> planTokens += drawn.max(BigDecimal.ZERO).longValue();
                        case "TOPUP_TOKENS" -> topupTokens += drawn.max(BigDecimal.ZERO).longValue();
                        default -> credits.put(row.getString(2), drawn);
                    }
                }
            }
        }
        return new UsageDraws(planTokens, topupTokens, credits);
    }

    /**
     * The CREDITS balance in the currency before the UTC day {@code from} (usage entries of earlier days, other entries posted
     * before it), and what entries other than usage and INVOICED added to it in the UTC days {@code [from, to)}: purchases and
     * grants add, refunds and negative adjustments take away.
     */
    CreditsFlow creditsFlow(Connection connection, long organizationId, LocalDate from, LocalDate to, String currency) throws SQLException {
        Object start = toColumn(from.atStartOfDay(ZoneOffset.UTC).toInstant());
        Object end = toColumn(to.atStartOfDay(ZoneOffset.UTC).toInstant());
        try (PreparedStatement statement = connection.prepareStatement("SELECT"
                + " SUM(CASE WHEN (kind = 'USAGE' AND usage_day < ?) OR (kind <> 'USAGE' AND created_at < ?) THEN amount ELSE 0 END),"
                + " SUM(CASE WHEN kind NOT IN ('USAGE', 'INVOICED') AND created_at >= ? AND created_at < ? THEN amount ELSE 0 END)"
                + " FROM ledger_entry WHERE organization_id = ? AND account_kind = 'CREDITS' AND currency = ?")) {
            statement.setObject(1, from);
            statement.setObject(2, start);
            statement.setObject(3, start);
            statement.setObject(4, end);
            statement.setLong(5, organizationId);
            statement.setString(6, currency);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                BigDecimal opening = row.getBigDecimal(1);
                BigDecimal added = row.getBigDecimal(2);
                return new CreditsFlow(opening == null ? BigDecimal.ZERO : opening, added == null ? BigDecimal.ZERO : added);
            }
        }
    }

    /** The overdraft an invoice billed (posted to the ledger as INVOICED when it was finalized); 0 when none. */
    BigDecimal overdraftBilled(Connection connection, long invoiceId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT overdraft_billed FROM invoice WHERE id = ?")) {
            statement.setLong(1, invoiceId);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? row.getBigDecimal(1) : BigDecimal.ZERO;
            }
        }
    }

    void setOverdraftBilled(Connection connection, long invoiceId, BigDecimal amount) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("UPDATE invoice SET overdraft_billed = ? WHERE id = ?")) {
            statement.setBigDecimal(1, amount);
            statement.setLong(2, invoiceId);
            statement.executeUpdate();
        }
    }

    /** A paid plan the organization is on: name, monthly price, currency; empty on the free baseline. */
    Optional<Plan> paidPlan(Connection connection, long organizationId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT p.name, p.monthly_price, p.currency FROM ledger_balance b JOIN plan p ON p.id = b.plan_id"
                + " WHERE b.organization_id = ? AND p.free_baseline = FALSE AND p.monthly_price > 0")) {
            statement.setLong(1, organizationId);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? Optional.of(new Plan(row.getString(1), row.getBigDecimal(2), row.getString(3))) : Optional.empty();
            }
        }
    }

    /** Top-up checkouts completed in the period: tokens, amount paid, currency, when. */
    List<TopUp> topUps(Connection connection, long organizationId, Instant from, Instant to) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT tokens, amount, currency, completed_at FROM billing_checkout WHERE organization_id = ?"
                + " AND kind = 'TOP_UP' AND status = 'COMPLETED' AND completed_at >= ? AND completed_at < ? ORDER BY completed_at, id")) {
            statement.setLong(1, organizationId);
            statement.setObject(2, toColumn(from));
            statement.setObject(3, toColumn(to));
            List<TopUp> rows = new ArrayList<>();
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    rows.add(new TopUp(row.getLong(1), row.getBigDecimal(2), row.getString(3), instant(row, 4)));
                }
            }
            return rows;
        }
    }

    /** The BILL TO block as the company details are now; empty when the organization saved none. */
    Optional<BillTo> billTo(Connection connection, long organizationId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT company_name, contact_name, billing_email, billing_phone, address_line1, address_line2,"
                + " city, region, postal_code, country FROM company_details WHERE organization_id = ?")) {
            statement.setLong(1, organizationId);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? Optional.of(new BillTo(row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5),
                        row.getString(6), row.getString(7), row.getString(8), row.getString(9), row.getString(10))) : Optional.empty();
            }
        }
    }

    void insertPayment(Connection connection, long invoiceId, BigDecimal amount, String method, String reference, Instant paidAt, String recordedBy,
                       Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO invoice_payment (invoice_id, amount, method, reference, paid_at, recorded_by,"
                + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            statement.setLong(1, invoiceId);
            statement.setBigDecimal(2, amount);
            statement.setString(3, method);
            statement.setString(4, reference);
            statement.setObject(5, toColumn(paidAt));
            statement.setString(6, recordedBy);
            statement.setObject(7, toColumn(now));
            statement.executeUpdate();
        }
        addTo(connection, invoiceId, "amount_paid", amount);
    }

    boolean hasPayment(Connection connection, long invoiceId, String reference) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM invoice_payment WHERE invoice_id = ? AND reference = ?")) {
            statement.setLong(1, invoiceId);
            statement.setString(2, reference);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1) > 0;
            }
        }
    }

    /** Inserts a credit note; {@code stripeRequired} puts it in the outbox of notes Stripe must hear of ({@link #unsentCreditNotes}). */
    long insertCreditNote(Connection connection, long invoiceId, String number, CreditNoteSettlement settlement, BigDecimal amount, String reason,
                          String createdBy, boolean stripeRequired, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO credit_note (invoice_id, number, kind, settlement, amount, reason, created_by,"
                + " created_at, stripe_required) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", PreparedStatement.RETURN_GENERATED_KEYS)) {
            statement.setLong(1, invoiceId);
            statement.setString(2, number);
            statement.setString(3, settlement.kind());
            statement.setString(4, settlement.name());
            statement.setBigDecimal(5, amount);
            statement.setString(6, reason);
            statement.setString(7, createdBy);
            statement.setObject(8, toColumn(now));
            statement.setBoolean(9, stripeRequired);
            statement.executeUpdate();
            addTo(connection, invoiceId, "amount_credited", amount);
            try (ResultSet keys = statement.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static void addTo(Connection connection, long invoiceId, String column, BigDecimal amount) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("UPDATE invoice SET " + column + " = " + column + " + ? WHERE id = ?")) {
            statement.setBigDecimal(1, amount);
            statement.setLong(2, invoiceId);
            statement.executeUpdate();
        }
    }

    public List<Payment> payments(long invoiceId) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT id, invoice_id, amount, method, reference, paid_at, recorded_by FROM invoice_payment"
                    + " WHERE invoice_id = ? ORDER BY paid_at, id")) {
                statement.setLong(1, invoiceId);
                List<Payment> payments = new ArrayList<>();
                try (ResultSet row = statement.executeQuery()) {
                    while (row.next()) {
                        payments.add(new Payment(row.getLong(1), row.getLong(2), row.getBigDecimal(3), row.getString(4), row.getString(5), instant(row, 6),
                                row.getString(7)));
                    }
                }
                return payments;
            }
        });
    }

    private static final String CREDIT_NOTE_COLUMNS = "id, invoice_id, number, kind, amount, reason, created_by, created_at, settlement, stripe_credit_note_id";

    public List<CreditNote> creditNotes(long invoiceId) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT " + CREDIT_NOTE_COLUMNS + " FROM credit_note WHERE invoice_id = ? ORDER BY id")) {
                statement.setLong(1, invoiceId);
                return creditNotes(statement);
            }
        });
    }

    public Optional<CreditNote> creditNote(long id) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT " + CREDIT_NOTE_COLUMNS + " FROM credit_note WHERE id = ?")) {
                statement.setLong(1, id);
                return creditNotes(statement).stream().findFirst();
            }
        });
    }

    private static List<CreditNote> creditNotes(PreparedStatement statement) throws SQLException {
        List<CreditNote> notes = new ArrayList<>();
        try (ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                String settlement = row.getString(9);
                notes.add(new CreditNote(row.getLong(1), row.getLong(2), row.getString(3), row.getString(4), row.getBigDecimal(5), row.getString(6),
                        row.getString(7), instant(row, 8), settlement == null ? null : CreditNoteSettlement.valueOf(settlement), row.getString(10)));
            }
        }
        return notes;
    }

    /** Credit notes Stripe must hear of and has not answered yet, whose invoice Stripe has (a note waits for its invoice to be sent). */
    List<Long> unsentCreditNotes(@Nullable Long invoiceId) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT c.id FROM credit_note c JOIN invoice i ON i.id = c.invoice_id"
                    + " WHERE c.stripe_required = TRUE AND c.stripe_credit_note_id IS NULL AND i.stripe_invoice_id IS NOT NULL"
                    + (invoiceId == null ? "" : " AND i.id = ?") + " ORDER BY c.id")) {
                if (invoiceId != null) {
                    statement.setLong(1, invoiceId);
                }
                return ids(statement);
            }
        });
    }

    void setStripeCreditNoteId(long creditNoteId, String stripeCreditNoteId) {
        write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE credit_note SET stripe_credit_note_id = ? WHERE id = ?"
                    + " AND stripe_credit_note_id IS NULL")) {
                statement.setString(1, stripeCreditNoteId);
                statement.setLong(2, creditNoteId);
                return statement.executeUpdate();
            }
        });
    }

    /** Void invoices Stripe still collects: voided here, not (known to be) voided in Stripe yet. */
    List<Long> unvoidedInStripe() {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT id FROM invoice WHERE status = 'VOID' AND stripe_invoice_id IS NOT NULL"
                    + " AND stripe_voided_at IS NULL ORDER BY id")) {
                return ids(statement);
            }
        });
    }

    /** Stripe's invoice is void too (it answered our void, or told us with invoice.voided). */
    void setStripeVoided(Connection connection, long invoiceId, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("UPDATE invoice SET stripe_voided_at = ? WHERE id = ? AND stripe_voided_at IS NULL")) {
            statement.setObject(1, toColumn(now));
            statement.setLong(2, invoiceId);
            statement.executeUpdate();
        }
    }

    /** Whether Stripe collected a payment of the invoice (so a refund goes back through Stripe). */
    boolean paidThroughStripe(Connection connection, long invoiceId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM invoice_payment WHERE invoice_id = ? AND method = 'STRIPE'"
                + " AND amount > 0")) {
            statement.setLong(1, invoiceId);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1) > 0;
            }
        }
    }

    private static List<Long> ids(PreparedStatement statement) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                ids.add(result.getLong(1));
            }
        }
        return ids;
    }

    @Nullable
    private static Instant instant(ResultSet row, String column) throws SQLException {
        LocalDateTime value = row.getObject(column, LocalDateTime.class);
        return value == null ? null : fromColumn(value);
    }

    @Nullable
    private static Instant instant(ResultSet row, int column) throws SQLException {
        LocalDateTime value = row.getObject(column, LocalDateTime.class);
        return value == null ? null : fromColumn(value);
    }
}
