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
 * @param cost the priced cost, one per currency
 * @param calls calls, successful or not
 * @param errorCalls calls that ended with an error status
 * @param services usage and cost per service and unit
 */
public record CustomerMonth(Organization customer, LocalDate periodStart, LocalDate periodEnd, List<Money> cost, long calls, long errorCalls,
                            List<ServiceUsage> services) {
}
