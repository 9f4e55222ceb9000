package io.meterline.platform.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.billing.StripeConfiguration;
import io.meterline.platform.common.Money;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The demo environment seeds three organizations with 90 days of usage across every provider, once. */
@MicronautTest(transactional = false, environments = "demo")
class DemoDataIT extends ServerTest {

    @Inject
    DemoData demoData;

    @Inject
    ApplicationContext context;

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    StripeConfiguration stripe;

    @Inject
    Clock clock;

    @Test
    void seedsThreeOrganizationsWithUsageAcrossEveryProvider() {
        assertThat(api.graphql(api.adminToken(), "{ organizations { totalCount } }").at("data.organizations.totalCount")).isEqualTo(3);
        for (String slug : new String[] {"northwind", "kolkata-calls", "berlin-studio"}) {
            String token = api.login("admin@" + slug + ".demo", "demo-password-1");
            TestApi.Response summary = api.graphql(token, "{ usageSummary(range: {preset: LAST_90_DAYS}) { requests unpricedRequests tokens byProvider { provider } } }");
            assertThat(((Number) summary.at("data.usageSummary.requests")).longValue()).as(slug).isGreaterThan(1000);
            assertThat(((Number) summary.at("data.usageSummary.tokens")).longValue()).as(slug).isGreaterThan(0);
            assertThat(summary.pluck("data.usageSummary.byProvider", "provider")).as(slug)
                    .contains("openai", "anthropic", "elevenlabs", "smartflo", "images", "flat-token");
            assertThat(((Number) summary.at("data.usageSummary.unpricedRequests")).longValue()).as(slug).isGreaterThan(0);
            assertThat(api.graphql(token, "{ apiKeys { totalCount } }").at("data.apiKeys.totalCount")).isEqualTo(2);
            // The seed pages' budgets, counted by the seeded usage, and a balance paid for by a purchase.
            TestApi.Response budgets = api.graphql(token, "{ budgets { nodes { name status { consumed } } } }");
            assertThat(budgets.pluck("data.budgets.nodes", "name")).as(slug)
                    .contains("Today", "This month", "Total", "OpenAI tokens", "Requests per minute");
            TestApi.Response balance = api.graphql(token, "{ balance { current { amount } state totalPurchased { amount } } }");
            assertThat(balance.at("data.balance.state")).as(slug).isEqualTo(slug.equals("berlin-studio") ? "LOW" : "HEALTHY");
            assertThat(new java.math.BigDecimal((String) balance.at("data.balance.totalPurchased.amount"))).as(slug).isPositive();
            TestApi.Response accountIds = api.graphql(token, "{ accountIds { totalCount nodes { dailyUsage(days: 30) { tokens } } } }");
            assertThat(accountIds.at("data.accountIds.totalCount")).as(accountIds.body()).isEqualTo(5);
            assertThat(accountIds.pluck("data.accountIds.nodes.0.dailyUsage", "tokens")).as("usage names the registered codes")
                    .anySatisfy(tokens -> assertThat(((Number) tokens).longValue()).isPositive());
        }
    }

    @Test
    void seedingAgainAddsNothing() {
        Rows rows = new Rows(transactions);
        long events = rows.count("SELECT COUNT(*) FROM usage_event");
        long organizations = rows.count("SELECT COUNT(*) FROM organization");
        long plans = rows.count("SELECT COUNT(*) FROM plan");
        long subscriptions = rows.count("SELECT COUNT(*) FROM billing_subscription");
        long invoices = rows.count("SELECT COUNT(*) FROM invoice");
        long payments = rows.count("SELECT COUNT(*) FROM invoice_payment");
        demoData.onStartup(new StartupEvent(context));
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event")).isEqualTo(events);
        assertThat(rows.count("SELECT COUNT(*) FROM organization")).isEqualTo(organizations);
        assertThat(rows.count("SELECT COUNT(*) FROM plan")).isEqualTo(plans);
        assertThat(rows.count("SELECT COUNT(*) FROM billing_subscription")).isEqualTo(subscriptions);
        assertThat(rows.count("SELECT COUNT(*) FROM invoice")).isEqualTo(invoices).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM invoice_payment")).isEqualTo(payments).isEqualTo(1);
    }

    /**
     * The Invoices page on the demo: Northwind's previous month in Toronto (this class runs on the real clock) closed
     * through the invoice service into a numbered invoice with usage lines, Ontario's HST on its Toronto BILL TO, paid in full;
     * the other organizations exist only since the seeding, so they have none.
     */
    @Test
    void northwindsPreviousMonthIsClosedIntoAPaidInvoiceWithTax() {
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneId.of("America/Toronto")));
        // In a month's first hour (the grace) the close leaves a draft for the scheduled close: nothing to check here then.
        Assumptions.assumeTrue(now.getDayOfMonth() > 1 || now.getHour() >= 1, "within the grace of the month that just ended");
        YearMonth previous = YearMonth.from(now).minusMonths(1);
        String token = api.login("admin@northwind.demo", "demo-password-1");
        TestApi.Response list = api.graphql(token, "{ invoices(first: 10) { totalCount nodes { id } } }");
        assertThat(list.at("data.invoices.totalCount")).as(list.body()).isEqualTo(1);
        TestApi.Response invoice = api.graphql(token, "query($id: ID!) { invoice(id: $id) { number status periodStart periodEnd taxName taxPercent"
                + " billTo { city region country } lines { kind amount { amount } } subtotal { amount currencyCode } tax { amount } total { amount }"
                + " amountPaid { amount } amountDue { amount } payments { method reference amount { amount } } } }", Map.of("id", list.at("data.invoices.nodes.0.id")));
        assertThat(invoice.at("errors")).as(invoice.body()).isNull();
        assertThat((String) invoice.at("data.invoice.number")).matches("INV-\\d{4}-\\d{6}");
        assertThat(invoice.at("data.invoice.status")).isEqualTo("PAID");
        assertThat(invoice.at("data.invoice.periodStart")).isEqualTo(previous.atDay(1).toString());
        assertThat(invoice.at("data.invoice.periodEnd")).isEqualTo(previous.atEndOfMonth().toString());
        assertThat(invoice.at("data.invoice.billTo")).isEqualTo(Map.of("city", "Toronto", "region", "ON", "country", "CA"));
        assertThat(invoice.at("data.invoice.taxName")).isEqualTo("HST");
        assertThat(new BigDecimal((String) invoice.at("data.invoice.taxPercent"))).isEqualByComparingTo("13");
        assertThat(invoice.at("data.invoice.subtotal.currencyCode")).isEqualTo("CAD");
        assertThat(invoice.pluck("data.invoice.lines", "kind")).isNotEmpty();
        BigDecimal subtotal = new BigDecimal((String) invoice.at("data.invoice.subtotal.amount"));
        BigDecimal tax = new BigDecimal((String) invoice.at("data.invoice.tax.amount"));
        BigDecimal total = new BigDecimal((String) invoice.at("data.invoice.total.amount"));
        assertThat(subtotal).isPositive();
        assertThat(tax).isEqualByComparingTo(Money.toMinorUnit(subtotal.multiply(new BigDecimal("0.13")), "CAD"));
        assertThat(subtotal.add(tax)).isEqualByComparingTo(total);
        assertThat(new BigDecimal((String) invoice.at("data.invoice.amountPaid.amount"))).isEqualByComparingTo(total);
        assertThat(new BigDecimal((String) invoice.at("data.invoice.amountDue.amount"))).isZero();
        assertThat(invoice.pluck("data.invoice.payments", "method")).containsExactly("MANUAL");
        for (String slug : new String[] {"kolkata-calls", "berlin-studio"}) {
            TestApi.Response none = api.graphql(api.login("admin@" + slug + ".demo", "demo-password-1"), "{ invoices(first: 10) { totalCount } }");
            assertThat(none.at("data.invoices.totalCount")).as(slug).isEqualTo(0);
        }
    }

    /** Seed 000's Billing page on the demo: a CAD catalog, Northwind on a paid plan, and no Stripe key, so paying is refused and nothing else is. */
    @Test
    void northwindIsOnAPaidCadPlanAndWithoutStripeKeysTheStripeActionsAreRefused() {
        Rows rows = new Rows(transactions);
        String token = api.login("admin@northwind.demo", "demo-password-1");
        TestApi.Response page = api.graphql(token, "{ billing { configured plan { name } monthlyPrice { amount currencyCode } subscriptionStatus nextBillingDate"
                + " tokensUsedThisMonth tokensRemaining paymentMethod { brand last4 } planOptions { name } topUpPacks { id }"
                + " actions { startSubscription changePlan buyTopUp buyCredits openPortal manageSubscription } } }");
        assertThat(page.at("errors")).as(page.body()).isNull();
        assertThat(page.at("data.billing.configured")).isEqualTo(false);
        // application.yml's return URLs: the dashboard's Billing page, with Stripe's session id placeholder left for Stripe to fill.
        assertThat(stripe.successUrl()).endsWith("/billing?checkout=success&session={CHECKOUT_SESSION_ID}").startsWith("http");
        assertThat(stripe.portalReturnUrl()).endsWith("/billing");
        assertThat(page.at("data.billing.plan.name")).isEqualTo("Growth");
        assertThat(page.at("data.billing.monthlyPrice.currencyCode")).isEqualTo("CAD");
        assertThat(page.at("data.billing.subscriptionStatus")).isEqualTo("ACTIVE");
        assertThat(page.at("data.billing.nextBillingDate")).isNotNull();
        assertThat(((Number) page.at("data.billing.tokensUsedThisMonth")).longValue()).isPositive();
        // Earlier months' usage was recorded before the subscription: only this month's drew on Growth's 20M tokens.
        assertThat(((Number) page.at("data.billing.tokensRemaining")).longValue()).isPositive().isLessThan(20_000_000L);
        assertThat(page.at("data.billing.paymentMethod.last4")).isEqualTo("4242");
        assertThat(page.pluck("data.billing.planOptions", "name")).contains("Free", "Starter", "Growth").doesNotContain("Enterprise (contract)");
        assertThat(page.pluck("data.billing.topUpPacks", "id")).containsExactly("CAD-1000000", "CAD-3000000");
        assertThat(page.at("data.billing.actions")).isEqualTo(Map.of("startSubscription", false, "changePlan", false, "buyTopUp", false,
                "buyCredits", false, "openPortal", false, "manageSubscription", false));
        long checkouts = rows.count("SELECT COUNT(*) FROM billing_checkout");
        long customers = rows.count("SELECT COUNT(*) FROM billing_customer");
        for (String mutation : new String[] {
                "mutation { topUpCheckoutCreate(input: {packId: \"CAD-1000000\"}) { url userErrors { code message } } }",
                "mutation { creditsCheckoutCreate(input: {amount: \"25\"}) { url userErrors { code message } } }",
                "mutation { billingPortalSessionCreate(input: {}) { url userErrors { code message } } }"}) {
            TestApi.Response refused = api.graphql(token, mutation);
            assertThat(refused.at("errors")).as(refused.body()).isNull();
            assertThat(refused.body()).contains("\"BILLING_NOT_CONFIGURED\"").contains("METERLINE_STRIPE_SECRET_KEY").contains("\"url\":null");
        }
        TestApi.Response plans = api.graphql(token, "{ plans { id name } }");
        String starter = (String) plans.pluck("data.plans", "id").get(plans.pluck("data.plans", "name").indexOf("Starter"));
        TestApi.Response subscribe = api.graphql(token, "mutation($input: SubscriptionCheckoutCreateInput!) { subscriptionCheckoutCreate(input: $input) { url userErrors { code } } }",
                Map.of("input", Map.of("planId", starter)));
        assertThat(subscribe.codes("data.subscriptionCheckoutCreate.userErrors")).as(subscribe.body()).containsExactly("BILLING_NOT_CONFIGURED");
        assertThat(rows.count("SELECT COUNT(*) FROM billing_checkout")).isEqualTo(checkouts);
        assertThat(rows.count("SELECT COUNT(*) FROM billing_customer")).isEqualTo(customers);
    }
}
