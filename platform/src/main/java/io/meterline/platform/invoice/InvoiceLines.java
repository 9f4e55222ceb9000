package io.meterline.platform.invoice;

import io.meterline.platform.common.LargestRemainder;
import io.meterline.platform.common.Money;
import io.meterline.platform.fx.CrossRate;
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
 * <p>What the lines mean (the decisions of issue 17 and its follow-up): the subscription fee and the usage per provider
 * and model at its cost in the billing currency are charged; usage of an earlier period that arrived after its close is
 * charged as an ADJUSTMENT naming that period while the period is within {@code late-usage-horizon}, else kept for
 * review. What prepaid balances paid for is netted by negative lines: the value the plan allowance and top-up tokens
 * covered (ALLOWANCE_APPLIED; the fee and the checkout paid for them) and the prepaid money credits the usage drew
 * (CREDITS_APPLIED), so usage is charged once; only the overdraft of a postpaid organization remains charged (see
 * {@link #prepaid}). Usage billed in a former billing currency is billed converted (see {@link #usageLines}). Top-ups
 * bought are informative lines (amount 0): they were paid at checkout. The usage lines' total is broken down by feature
 * beside the lines (see {@link #featureCharges}).
 */
@Singleton
public class InvoiceLines {

    /** How many periods before the horizon a close still looks at for late usage to list for review. */
    static final int REVIEW_WINDOW = 12;

    private static final Logger LOG = LoggerFactory.getLogger(InvoiceLines.class);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final int UNIT_PRICE_SCALE = 12;
    private static final int SHARE_SCALE = 6;
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM");

    private final InvoiceStore store;
    private final InvoiceConfiguration configuration;
    private final FxConverter fx;

    public InvoiceLines(InvoiceStore store, InvoiceConfiguration configuration, FxConverter fx) {
        this.store = store;
        this.configuration = configuration;
        this.fx = fx;
    }

    /**
     * A draft's lines and their sum.
     *
     * @param overdraft the money credits the period's usage drew beyond what was prepaid: what the invoice bills of them
     * @param featureCharges the usage lines' total by feature
     */
    record Computed(List<InvoiceLine> lines, BigDecimal subtotal, BigDecimal overdraft, List<InvoiceFeatureCharge> featureCharges) {
    }

    /**
     * Computes a draft's lines.
     *
     * @param record whether late usage beyond the horizon is recorded for review (the finalization); false for a read-only preview
     */
    Computed compute(Connection connection, Invoice draft, Instant now, boolean record) throws SQLException {
        String currency = draft.currency();
        long organizationId = draft.organizationId();
        List<InvoiceLine> lines = new ArrayList<>();
        subscription(connection, draft).ifPresent(lines::add);
        FormerCurrencies former = new FormerCurrencies(connection, draft.organizationId(), currency, draft.periodStart(), draft.periodEnd());
        lines.addAll(usageLines(connection, draft, draft, former));
        List<InvoiceFeatureCharge> featureCharges = featureCharges(connection, draft, lines, former);
        lines.addAll(lateUsage(connection, draft, now, record));
        for (InvoiceStore.TopUp topUp : store.topUps(connection, organizationId, draft.startsAt(), draft.endsAt())) {
            lines.add(informative(LineKind.TOP_UP, "Top-up of " + topUp.tokens() + " tokens, paid " + topUp.amount().stripTrailingZeros().toPlainString() + " "
                    + topUp.currency() + " at checkout on " + topUp.completedAt().atZone(ZoneId.of(draft.timeZone())).toLocalDate(),
                    BigDecimal.valueOf(topUp.tokens()), currency));
        }
        BigDecimal overdraft = prepaid(connection, draft, lines, former);
        BigDecimal subtotal = lines.stream().map(InvoiceLine::amount).reduce(Money.toMinorUnit(BigDecimal.ZERO, currency), BigDecimal::add);
        return new Computed(lines, subtotal, overdraft, featureCharges);
    }

    /**
     * Adds the lines that net what prepaid balances paid for (ALLOWANCE_APPLIED for plan and top-up tokens, CREDITS_APPLIED
     * for prepaid money credits), negative, and answers the overdraft the invoice bills.
     *
     * <p>The ledger draws a token meter's quantity from PLAN_TOKENS, then TOPUP_TOKENS, and charges CREDITS only the
     * uncovered share of the line's cost (other meters in full). So the value tokens covered is the usage's cost less the
     * credits usage drew; it is split between plan and top-up tokens in proportion to the tokens each covered (largest
     * remainder, so the two lines add up to it exactly). Both are rounded once to the minor unit, so a period whose usage
     * tokens covered in full nets to exactly 0, and one covered in part charges exactly the credits drawn.
     *
     * <p>Of the credits drawn, only what was prepaid is netted: the positive CREDITS balance before the period, plus what
     * entries other than usage added during it (purchases and grants add; refunds and negative adjustments take away,
     * since money given back is no longer prepaid), never below 0. INVOICED entries are left out: they record an earlier
     * invoice's overdraft as billed, which is owed, not prepaid. What usage drew beyond that is the overdraft (a balance
     * may go below zero for postpaid organizations): the usage lines charge it, and finalization posts it as INVOICED.
     * Credits drawn in a former billing currency are not netted: the CREDITS balance is kept in the billing currency only
     * (entries in another currency are listed apart), so nothing of it was prepaid in the invoice currency.
     *
     * <p>Period boundaries: the ledger keeps usage per UTC day (the day whose exchange rate converted it) and cannot be
     * cut at the organization's local midnight, while the usage lines come from local-day rollups. The netting therefore
     * reads the UTC days {@code [periodStart, periodEnd)} on both sides: the usage cost from the UTC-hour rollups and the
     * credits from the ledger's usage days, so it compares the same events. Usage in the hours between local and UTC
     * midnight at a month edge is billed on one month's usage lines and netted on the adjacent month's invoice; over
     * consecutive invoices each event is billed once and netted once. In a UTC organization the two agree exactly.
     *
     * <p>Not netted: late usage of an earlier period (its ADJUSTMENT charges the full cost, and the credits it drew are
     * outside this period's usage days, so its overdraft is not posted as INVOICED). Netting it right needs the ledger to
     * record, when it draws, which part of a charge was prepaid and which overdrew: recomputing the earlier period now
     * would net prepaid credits that later periods have since used.
     */
    private BigDecimal prepaid(Connection connection, Invoice draft, List<InvoiceLine> lines, FormerCurrencies former) throws SQLException {
        String currency = draft.currency();
        BigDecimal zero = Money.toMinorUnit(BigDecimal.ZERO, currency);
        InvoiceStore.UsageDraws draws = store.usageDraws(connection, draft.organizationId(), draft.periodStart(), draft.periodEnd());
        Map<String, BigDecimal> drawnBy = draws.credits();
        BigDecimal drawn = Money.toMinorUnit(drawnBy.getOrDefault(currency, BigDecimal.ZERO), currency);
        long planTokens = draws.planTokens();
        long topupTokens = draws.topupTokens();
        if (planTokens + topupTokens > 0) {
            // Tokens are drawn whatever the billing currency; usage billed in a former one is covered at its converted value.
            BigDecimal covered = zero;
            for (Map.Entry<String, BigDecimal> cost : store.usageCostOnUtcDays(connection, draft.organizationId(), draft.periodStart(), draft.periodEnd()).entrySet()) {
                if (cost.getKey().equals(currency)) {
                    covered = covered.add(Money.toMinorUnit(cost.getValue(), currency).subtract(drawn));
                }
                else {
                    BigDecimal coveredThere = cost.getValue().subtract(drawnBy.getOrDefault(cost.getKey(), BigDecimal.ZERO));
                    covered = covered.add(former.convert(coveredThere, cost.getKey()).map(value -> Money.toMinorUnit(value, currency)).orElse(zero));
                }
            }
            covered = covered.max(zero);
            BigDecimal total = BigDecimal.valueOf(planTokens + topupTokens);
            List<BigDecimal> shares = LargestRemainder.round(List.of(
                    covered.multiply(BigDecimal.valueOf(planTokens)).divide(total, MathContext.DECIMAL128),
                    covered.multiply(BigDecimal.valueOf(topupTokens)).divide(total, MathContext.DECIMAL128)), Money.minorDigits(currency));
            if (planTokens > 0) {
                lines.add(allowance("Plan allowance applied", planTokens, shares.get(0), currency));
            }
            if (topupTokens > 0) {
                lines.add(allowance("Top-up tokens applied", topupTokens, shares.get(1), currency));
            }
        }
        if (drawn.signum() <= 0) {
            return zero;
        }
        InvoiceStore.CreditsFlow flow = store.creditsFlow(connection, draft.organizationId(), draft.periodStart(), draft.periodEnd(), currency);
        BigDecimal prepaid = Money.toMinorUnit(flow.opening().max(BigDecimal.ZERO).add(flow.added()).max(BigDecimal.ZERO), currency);
        BigDecimal applied = drawn.min(prepaid);
        if (applied.signum() > 0) {
            lines.add(new InvoiceLine(LineKind.CREDITS_APPLIED, "Prepaid credits applied: " + applied.toPlainString() + " of " + drawn.toPlainString() + " "
                    + currency + " drawn by usage", null, null, drawn, "credits", applied.negate().divide(drawn, UNIT_PRICE_SCALE, Money.ROUNDING), applied.negate()));
        }
        return drawn.subtract(applied);
    }

    /** Tokens a balance covered, worth {@code value} of the usage lines, netted. */
    private static InvoiceLine allowance(String description, long tokens, BigDecimal value, String currency) {
        BigDecimal quantity = BigDecimal.valueOf(tokens);
        BigDecimal amount = Money.toMinorUnit(value.negate(), currency);
        BigDecimal unitPrice = amount.multiply(MILLION).divide(quantity, UNIT_PRICE_SCALE, Money.ROUNDING);
        return new InvoiceLine(LineKind.ALLOWANCE_APPLIED, description, null, null, quantity, "1M tokens", unitPrice, amount);
    }

    /**
     * The USAGE lines' total split by the events' feature (the rollups' FEATURE dimension over the same local days and
     * currency as the lines, so the same events): each feature's exact share of the cost, rounded by largest remainder so
     * the amounts add up to the lines' total exactly, and the shares to exactly 1. Events that name no feature form the
     * null (Unattributed) bucket, listed last. Late-usage ADJUSTMENT lines are not broken down.
     */
    private List<InvoiceFeatureCharge> featureCharges(Connection connection, Invoice draft, List<InvoiceLine> lines, FormerCurrencies former) throws SQLException {
        String currency = draft.currency();
        BigDecimal usage = lines.stream().filter(line -> line.kind() == LineKind.USAGE).map(InvoiceLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        Map<String, BigDecimal> byFeature = new java.util.TreeMap<>();
        BigDecimal unattributed = BigDecimal.ZERO;
        for (Map.Entry<String, Map<String, BigDecimal>> billed : store.usageByFeature(connection, draft.organizationId(), draft.startsAt(), draft.endsAt()).entrySet()) {
            for (Map.Entry<String, BigDecimal> entry : billed.getValue().entrySet()) {
                // Usage billed in a former currency counts at the value its converted USAGE line has (none without a rate).
                BigDecimal cost = billed.getKey().equals(currency) ? entry.getValue() : former.convert(entry.getValue(), billed.getKey()).orElse(BigDecimal.ZERO);
                if (entry.getKey().isEmpty()) {
                    unattributed = unattributed.add(cost);
                }
                else {
                    byFeature.merge(entry.getKey(), cost, BigDecimal::add);
                }
            }
        }
        List<String> features = new ArrayList<>(byFeature.keySet());
        List<BigDecimal> costs = new ArrayList<>(byFeature.values());
        if (unattributed.signum() != 0) {
            features.add(null);
            costs.add(unattributed);
        }
        BigDecimal cost = costs.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        if (cost.signum() == 0) {
            return List.of();
        }
        List<BigDecimal> amounts = LargestRemainder.round(costs.stream().map(part -> usage.multiply(part).divide(cost, MathContext.DECIMAL128)).toList(),
                Money.minorDigits(currency));
        List<BigDecimal> shares = LargestRemainder.round(costs.stream().map(part -> part.divide(cost, MathContext.DECIMAL128)).toList(), SHARE_SCALE);
        List<InvoiceFeatureCharge> charges = new ArrayList<>(features.size());
        for (int i = 0; i < features.size(); i++) {
            charges.add(new InvoiceFeatureCharge(features.get(i), amounts.get(i), shares.get(i)));
        }
        return List.copyOf(charges);
    }

    /**
     * A period's USAGE lines, one per provider/model and billing currency: first the usage billed in the invoice currency,
     * then usage billed in a former billing currency during the period (the currency changed, effective from a UTC day),
     * converted once into the invoice currency (see {@link FormerCurrencies}), its description naming the original
     * currency, amount and rate. Without a rate such usage cannot be stated in the invoice currency: it is logged and
     * left off, as the fee is.
     */
    private List<InvoiceLine> usageLines(Connection connection, Invoice invoice, Invoice period, FormerCurrencies former) throws SQLException {
        String currency = invoice.currency();
        Map<String, Map<String, InvoiceStore.Usage>> byCurrency = store.usageByModel(connection, invoice.organizationId(), period.startsAt(), period.endsAt());
        List<InvoiceLine> lines = new ArrayList<>();
        for (Map.Entry<String, InvoiceStore.Usage> entry : byCurrency.getOrDefault(currency, Map.of()).entrySet()) {
            lines.add(usage(entry.getKey(), entry.getValue(), period.periodStart(), currency));
        }
        for (Map.Entry<String, Map<String, InvoiceStore.Usage>> billed : byCurrency.entrySet()) {
            String original = billed.getKey();
            if (original.equals(currency)) {
                continue;
            }
            Optional<CrossRate> rate = former.rate(original);
            if (rate.isEmpty()) {
                LOG.warn("No {} to {} rate on {} for the usage of organization {} billed in {}: the invoice of {} leaves it off", original, currency, former.day(),
                        invoice.organizationId(), original, period.periodStart());
                continue;
            }
            for (Map.Entry<String, InvoiceStore.Usage> entry : billed.getValue().entrySet()) {
                InvoiceStore.Usage usage = entry.getValue();
                InvoiceLine converted = usage(entry.getKey(), new InvoiceStore.Usage(usage.requests(), usage.tokens(), Money.round(usage.cost().multiply(rate.get().rate()))),
                        period.periodStart(), currency);
                lines.add(new InvoiceLine(converted.kind(), entry.getKey() + " (billed in " + original + ": " + Money.toMinorUnit(usage.cost(), original).toPlainString()
                        + " " + original + " at " + rate.get().rate().stripTrailingZeros().toPlainString() + " " + currency + "/" + original + " of " + rate.get().rateDate()
                        + ")", converted.usagePeriod(), converted.dimensionValue(), converted.quantity(), converted.unit(), converted.unitPrice(), converted.amount()));
            }
        }
        return lines;
    }

    /**
     * Converts what a period billed in a former billing currency into the invoice currency, once, at the rate of the day
     * the billing currency last changed to the invoice currency before the period ended (the change's effective day; the
     * period's first day when no change is recorded, such as usage billed in another currency by a change back and forth).
     * Rates are looked up once per currency.
     */
    private final class FormerCurrencies {

        private final String currency;
        private final LocalDate day;
        private final Map<String, Optional<CrossRate>> rates = new java.util.HashMap<>();

        FormerCurrencies(Connection connection, long organizationId, String currency, LocalDate periodStart, LocalDate periodEnd) throws SQLException {
            this.currency = currency;
            this.day = store.changedTo(connection, organizationId, currency, periodEnd).filter(changed -> !changed.isBefore(periodStart)).orElse(periodStart);
        }

        LocalDate day() {
            return day;
        }

        Optional<CrossRate> rate(String original) {
            return rates.computeIfAbsent(original, from -> fx.rate(from, currency, day));
        }

        /** The amount in the invoice currency, 9 decimals (rounded to the minor unit by the caller, once). */
        Optional<BigDecimal> convert(BigDecimal amount, String original) {
            return rate(original).map(rate -> Money.round(amount.multiply(rate.rate())));
        }
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
    private List<InvoiceLine> lateUsage(Connection connection, Invoice draft, Instant now, boolean record) throws SQLException {
        List<InvoiceLine> lines = new ArrayList<>();
        String currency = draft.currency();
        for (Invoice earlier : store.earlierPeriods(connection, draft.organizationId(), draft.periodStart(), configuration.lateUsageHorizon() + REVIEW_WINDOW)) {
            if (earlier.status() == InvoiceStatus.DRAFT) {
                continue;
            }
            // What the earlier period's usage lines would be now, in this invoice's currency, former currencies converted as they were.
            Map<String, BigDecimal> current = new java.util.HashMap<>();
            FormerCurrencies former = new FormerCurrencies(connection, draft.organizationId(), currency, earlier.periodStart(), earlier.periodEnd());
            for (InvoiceLine line : usageLines(connection, draft, earlier, former)) {
                current.merge(line.dimensionValue(), line.amount(), BigDecimal::add);
            }
            Map<String, BigDecimal> billed = store.billedByModel(connection, draft.organizationId(), earlier.periodStart(), currency);
            TreeSet<String> models = new TreeSet<>(current.keySet());
            models.addAll(billed.keySet());
            boolean withinHorizon = ChronoUnit.MONTHS.between(earlier.periodStart(), draft.periodStart()) <= configuration.lateUsageHorizon();
            for (String model : models) {
                BigDecimal currentAmount = current.getOrDefault(model, Money.toMinorUnit(BigDecimal.ZERO, currency));
                BigDecimal difference = currentAmount.subtract(billed.getOrDefault(model, BigDecimal.ZERO));
                if (difference.signum() == 0) {
                    continue;
                }
                difference = Money.toMinorUnit(difference, currency);
                if (withinHorizon) {
                    lines.add(new InvoiceLine(LineKind.ADJUSTMENT, "Late usage of " + MONTH.format(earlier.periodStart()) + ": " + model, earlier.periodStart(), model,
                            BigDecimal.ONE, "adjustment", difference.setScale(UNIT_PRICE_SCALE), difference));
                }
                else if (record) {
                    store.recordLateUsage(connection, draft.organizationId(), earlier.periodStart(), model, currency, difference, now);
                }
            }
        }
        return lines;
    }
}
