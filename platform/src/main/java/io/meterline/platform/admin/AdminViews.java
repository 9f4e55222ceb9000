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

    /** The overview cards: customers, cost and calls of the month across all customers, active alerts. */
    record Overview(LocalDate month, long customers, List<Money> cost, long calls, long errorCalls, long activeAlerts, Instant asOf) {
    }

    /** Every customer's month added up per service. */
    record Breakdown(LocalDate month, List<ServiceUsage> services, Instant asOf) {
    }

    /** Customers ranked by their cost in one currency. */
    record TopCustomers(LocalDate month, @Nullable String currency, List<CustomerMonth> customers, Instant asOf) {
    }

    /** A quantity and its unit. */
    record UnitQuantity(String unit, BigDecimal quantity) {
    }

    /** One recent call: the event and its quantities per unit. */
    record RecentCall(UsageEventView event, List<UnitQuantity> usage) {
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
