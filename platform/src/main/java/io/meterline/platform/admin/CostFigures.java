package io.meterline.platform.admin;

import io.meterline.platform.analytics.Totals;
import io.meterline.platform.common.Money;
import io.meterline.platform.fx.ReportConverter;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * A cost as the admin views show it: one figure in the view's currency beside the amounts the usage was
 * priced in. The view's currency is the reporting currency across customers, the customer's billing
 * currency in its own view.
 *
 * @param cost the billing-currency sums converted into the view's currency and added up; zero in it when nothing
 * @param originalCost the priced amounts, one per currency, as priced
 * @param unconvertedCost the billing-currency sums no exchange rate converts into the view's currency yet, left out
 *                        of {@code cost}; empty normally
 * @param unconvertedRequests priced calls whose cost still waits for a rate into the billing currency: in
 *                            {@code originalCost} only
 */
public record CostFigures(Money cost, List<Money> originalCost, List<Money> unconvertedCost, long unconvertedRequests) {

    /** The cost of some usage in {@code currency}, converted at the rate of {@code day}. */
    static CostFigures of(Totals totals, ReportConverter reports, String currency, LocalDate day) {
        ReportConverter.Report report = reports.convert(totals.billingCost(), currency, day);
        return new CostFigures(report.amount(), ReportConverter.amounts(totals.cost()), report.unconverted(), totals.unconvertedRequests());
    }

    /** No cost, in {@code currency}. */
    static CostFigures none(String currency) {
        return new CostFigures(new Money(Money.round(BigDecimal.ZERO), currency), List.of(), List.of(), 0);
    }
}
