package io.meterline.platform.admin;

import io.meterline.platform.account.Organization;
import io.meterline.platform.common.Money;
import java.time.LocalDate;
import java.util.List;

/**
 * One customer's calendar month in its own time zone.
 *
 * @param customer the organization
 * @param periodStart the month's first day
 * @param periodEnd the month's last day
 * @param cost the cost in the view's currency (see {@link CostFigures})
 * @param originalCost the priced cost, one per currency
 * @param unconvertedCost billing-currency amounts no rate converts into the view's currency yet
 * @param unconvertedRequests priced calls still waiting for a rate into the billing currency
 * @param calls calls, successful or not
 * @param errorCalls calls that ended with an error status
 * @param services usage and cost per service and unit
 */
public record CustomerMonth(Organization customer, LocalDate periodStart, LocalDate periodEnd, Money cost, List<Money> originalCost, List<Money> unconvertedCost,
                            long unconvertedRequests, long calls, long errorCalls, List<ServiceUsage> services) {

    CustomerMonth(Organization customer, LocalDate periodStart, LocalDate periodEnd, CostFigures figures, long calls, long errorCalls, List<ServiceUsage> services) {
        this(customer, periodStart, periodEnd, figures.cost(), figures.originalCost(), figures.unconvertedCost(), figures.unconvertedRequests(), calls, errorCalls,
                services);
    }
}
