package io.meterline.platform.admin;

import io.meterline.platform.account.Organization;
import io.meterline.platform.budget.Budget;
import io.meterline.platform.budget.BudgetStatus;
import io.meterline.platform.common.Money;
import io.meterline.platform.usage.UsageEventView;
import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** The answers of the admin views (seed 003); field names follow the schema. */
final class AdminViews {

    private AdminViews() {
    }

    /** The overview cards: customers, cost (in the reporting currency) and calls of the month across all customers, active alerts. */
    record Overview(LocalDate month, long customers, Money cost, List<Money> originalCost, List<Money> unconvertedCost, long unconvertedRequests, long calls,
                    long errorCalls, long activeAlerts, Instant asOf) {

        Overview(LocalDate month, long customers, CostFigures figures, long calls, long errorCalls, long activeAlerts, Instant asOf) {
            this(month, customers, figures.cost(), figures.originalCost(), figures.unconvertedCost(), figures.unconvertedRequests(), calls, errorCalls, activeAlerts,
                    asOf);
        }
    }

    /** Every customer's month added up per service. */
    record Breakdown(LocalDate month, List<ServiceUsage> services, Instant asOf) {
    }

    /** Customers ranked by their cost in the reporting currency. */
    record TopCustomers(LocalDate month, String currency, List<CustomerMonth> customers, Instant asOf) {
    }

    /** A quantity and its unit. */
    record UnitQuantity(String unit, BigDecimal quantity) {
    }

    /** One recent call: the event, its quantities per unit and its cost in the reporting currency (null while unpriced, unconverted or without a rate). */
    record RecentCall(UsageEventView event, List<UnitQuantity> usage, @Nullable Money cost) {
    }

    /** The recent calls, newest first. */
    record RecentActivity(List<RecentCall> calls, Instant asOf) {
    }

    /** A customer's quota of one service: an organization budget on the provider, and where it stands. */
    record ServiceQuota(String service, String unit, Budget budget, BudgetStatus status) {
    }

    /** What a customer sees: this month, per-service quotas and the months before. */
    record CustomerView(Organization customer, String timeZone, CustomerMonth currentMonth, List<CustomerMonth> history, List<ServiceQuota> quotas, Instant asOf) {
    }
}
