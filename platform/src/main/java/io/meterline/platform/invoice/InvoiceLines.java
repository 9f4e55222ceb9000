package io.meterline.platform.invoice;

import io.meterline.platform.common.Money;
import io.meterline.platform.fx.FxConverter;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes a draft's lines from the rollups, the ledger and the checkouts of its period. Every amount is rounded once
 * to the currency's minor unit, so the subtotal is the exact sum of the lines.
 *
 * <p>What the lines mean (the decisions of issue 17): the subscription fee and the usage per provider and model at its
 * cost in the billing currency are charged; usage of an earlier period that arrived after its close is charged as an
 * ADJUSTMENT naming that period while the period is within {@code late-usage-horizon}, else kept for review. The
 * prepaid balances the usage drew (money credits, plan and top-up tokens) and the top-ups bought are informative lines
 * (amount 0): the ledger draws credits whether or not they were prepaid (a balance may go below zero), so a netting
 * line would cancel the usage of every postpaid organization; netting needs the ledger to tell prepaid from overdrawn
 * credits (left for a later issue).
 */
@Singleton
public class InvoiceLines {

    /** How many periods before the horizon a close still looks at for late usage to list for review. */
    static final int REVIEW_WINDOW = 12;

    private static final Logger LOG = LoggerFactory.getLogger(InvoiceLines.class);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final int UNIT_PRICE_SCALE = 12;
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM");

    private final InvoiceStore store;
    private final InvoiceConfiguration configuration;
    private final FxConverter fx;

    public InvoiceLines(InvoiceStore store, InvoiceConfiguration configuration, FxConverter fx) {
        this.store = store;
        this.configuration = configuration;
        this.fx = fx;
    }

    /** A draft's lines and their sum. */
    record Computed(List<InvoiceLine> lines, BigDecimal subtotal) {
    }

    Computed compute(Connection connection, Invoice draft, Instant now) throws SQLException {
        String currency = draft.currency();
        long organizationId = draft.organizationId();
        List<InvoiceLine> lines = new ArrayList<>();
        subscription(connection, draft).ifPresent(lines::add);
        for (Map.Entry<String, InvoiceStore.Usage> entry : store.usageByModel(connection, organizationId, draft.startsAt(), draft.endsAt(), currency).entrySet()) {
            lines.add(usage(entry.getKey(), entry.getValue(), draft.periodStart(), currency));
        }
        lines.addAll(lateUsage(connection, draft, now));
        for (InvoiceStore.TopUp topUp : store.topUps(connection, organizationId, draft.startsAt(), draft.endsAt())) {
            lines.add(informative(LineKind.TOP_UP, "Top-up of " + topUp.tokens() + " tokens, paid " + topUp.amount().stripTrailingZeros().toPlainString() + " "
                    + topUp.currency() + " at checkout on " + topUp.completedAt().atZone(ZoneId.of(draft.timeZone())).toLocalDate(),
                    BigDecimal.valueOf(topUp.tokens()), currency));
        }
        Map<String, InvoiceStore.LedgerDraw> ledger = store.ledgerUsage(connection, organizationId, draft.periodStart(), draft.periodEnd(), currency);
        for (String account : List.of("PLAN_TOKENS", "TOPUP_TOKENS")) {
            InvoiceStore.LedgerDraw draw = ledger.get(account);
            if (draw != null && draw.amount().signum() != 0) {
                lines.add(informative(LineKind.ALLOWANCE_APPLIED, account.equals("PLAN_TOKENS") ? "Plan allowance applied" : "Top-up tokens applied",
                        draw.amount().abs().setScale(0, RoundingMode.HALF_EVEN), currency));
            }
        }
        InvoiceStore.LedgerDraw credits = ledger.get("CREDITS");
        if (credits != null && credits.amount().signum() != 0) {
            lines.add(new InvoiceLine(LineKind.CREDITS_APPLIED, "Credits drawn by usage (" + currency + ")", null, null, credits.amount().negate(), "credits",
                    BigDecimal.ZERO.setScale(UNIT_PRICE_SCALE), Money.toMinorUnit(BigDecimal.ZERO, currency)));
        }
        BigDecimal subtotal = lines.stream().map(InvoiceLine::amount).reduce(Money.toMinorUnit(BigDecimal.ZERO, currency), BigDecimal::add);
        return new Computed(lines, subtotal);
    }

    private Optional<InvoiceLine> subscription(Connection connection, Invoice draft) throws SQLException {
        Optional<InvoiceStore.Plan> plan = store.paidPlan(connection, draft.organizationId());
        if (plan.isEmpty()) {
            return Optional.empty();
        }
        String name = plan.get().name();
        BigDecimal price = plan.get().monthlyPrice();
        String planCurrency = plan.get().currency();
        Optional<BigDecimal> converted = planCurrency.equals(draft.currency()) ? Optional.of(price)
                : fx.convert(price, planCurrency, draft.currency(), draft.periodStart()).map(conversion -> conversion.amount());
        if (converted.isEmpty()) {
            // Without a rate the fee cannot be stated in the invoice currency; the operator sees it in the log and corrects by reissue.
            LOG.warn("No {} to {} rate for the plan fee of organization {} ({}): the invoice of {} has no subscription line", planCurrency, draft.currency(),
                    draft.organizationId(), name, draft.periodStart());
            return Optional.empty();
        }
        BigDecimal amount = Money.toMinorUnit(converted.get(), draft.currency());
        return Optional.of(new InvoiceLine(LineKind.SUBSCRIPTION, name + " plan, " + MONTH.format(draft.periodStart()), null, null, BigDecimal.ONE, "month",
                amount.setScale(UNIT_PRICE_SCALE), amount));
    }

    /** A provider/model's usage: tokens priced per million when it has tokens, else per request. */
    private static InvoiceLine usage(String model, InvoiceStore.Usage usage, LocalDate period, String currency) {
        BigDecimal amount = Money.toMinorUnit(usage.cost(), currency);
        boolean tokens = usage.tokens().signum() > 0;
        BigDecimal quantity = tokens ? usage.tokens().stripTrailingZeros() : BigDecimal.valueOf(usage.requests());
        BigDecimal units = tokens ? usage.tokens().divide(MILLION, MathContext.DECIMAL128) : quantity;
        BigDecimal unitPrice = units.signum() == 0 ? BigDecimal.ZERO.setScale(UNIT_PRICE_SCALE)
                : usage.cost().divide(units, UNIT_PRICE_SCALE, Money.ROUNDING);
        return new InvoiceLine(LineKind.USAGE, model, period, model, quantity.setScale(Math.max(quantity.scale(), 0)), tokens ? "1M tokens" : "request",
                unitPrice, amount);
    }

    private static InvoiceLine informative(LineKind kind, String description, BigDecimal quantity, String currency) {
        return new InvoiceLine(kind, description, null, null, quantity, "tokens", BigDecimal.ZERO.setScale(UNIT_PRICE_SCALE), Money.toMinorUnit(BigDecimal.ZERO, currency));
    }

    /**
     * Usage of earlier closed periods that the rollups hold now but no invoice billed: within the horizon an ADJUSTMENT
     * line per provider/model naming the period; older, a late_usage row for review. Periods still in draft bill
     * themselves and are skipped.
     */
    private List<InvoiceLine> lateUsage(Connection connection, Invoice draft, Instant now) throws SQLException {
        List<InvoiceLine> lines = new ArrayList<>();
        String currency = draft.currency();
        for (Invoice earlier : store.earlierPeriods(connection, draft.organizationId(), draft.periodStart(), configuration.lateUsageHorizon() + REVIEW_WINDOW)) {
            if (earlier.status() == InvoiceStatus.DRAFT) {
                continue;
            }
            Map<String, InvoiceStore.Usage> current = store.usageByModel(connection, draft.organizationId(), earlier.startsAt(), earlier.endsAt(), currency);
            Map<String, BigDecimal> billed = store.billedByModel(connection, draft.organizationId(), earlier.periodStart(), currency);
            TreeSet<String> models = new TreeSet<>(current.keySet());
            models.addAll(billed.keySet());
            boolean withinHorizon = ChronoUnit.MONTHS.between(earlier.periodStart(), draft.periodStart()) <= configuration.lateUsageHorizon();
            for (String model : models) {
                BigDecimal currentAmount = current.containsKey(model) ? Money.toMinorUnit(current.get(model).cost(), currency) : Money.toMinorUnit(BigDecimal.ZERO, currency);
                BigDecimal difference = currentAmount.subtract(billed.getOrDefault(model, BigDecimal.ZERO));
                if (difference.signum() == 0) {
                    continue;
                }
                difference = Money.toMinorUnit(difference, currency);
                if (withinHorizon) {
                    lines.add(new InvoiceLine(LineKind.ADJUSTMENT, "Late usage of " + MONTH.format(earlier.periodStart()) + ": " + model, earlier.periodStart(), model,
                            BigDecimal.ONE, "adjustment", difference.setScale(UNIT_PRICE_SCALE), difference));
                }
                else {
                    store.recordLateUsage(connection, draft.organizationId(), earlier.periodStart(), model, currency, difference, now);
                }
            }
        }
        return lines;
    }
}
