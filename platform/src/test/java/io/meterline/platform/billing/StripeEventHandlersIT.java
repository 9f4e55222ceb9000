package io.meterline.platform.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.Stripe;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MailServer;
import io.meterline.platform.support.MailServerTest;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.webhook.FakeHostResolver;
import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Stripe event handlers, end to end: each event signed with the endpoint's secret and posted to
 * {@code POST /v1/stripe/webhook}, the inbox worker run by hand, and the outcome read through the
 * public GraphQL API ({@code balance}, {@code billing}, {@code alerts}) and the tables. Event bodies
 * follow Stripe's API reference for the version stripe-java reads ({@link Stripe#API_VERSION}).
 */
class StripeEventHandlersIT extends MailServerTest {

    private static final String SECRET = "whsec_test_handlers_0123456789abcdef";
    private static final String BALANCE = "query($org: ID) { balance(organizationId: $org) { current { amount currencyCode } totalPurchased { amount } creditsUsed { amount }"
            + " topUpTokensAvailable planTokensRemaining } }";
    private static final String BILLING = "query($org: ID) { billing(organizationId: $org) { plan { name } subscriptionStatus nextBillingDate cancelAtPeriodEnd"
            + " tokensRemaining paymentMethod { brand last4 } } }";
    private static final String PLAN_CREATE = "mutation($input: PlanCreateInput!) { planCreate(input: $input) { plan { id } userErrors { field code } } }";
    private static final String ENTRY_CREATE = "mutation($input: LedgerEntryCreateInput!) { ledgerEntryCreate(input: $input) { userErrors { field code } } }";
    private static final String ALERTS = "query($org: ID) { alerts(organizationId: $org, kinds: [\"PAYMENT_FAILED\"], first: 10) { totalCount nodes { kind level message } } }";
    private static final String ENDPOINT_CREATE = "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {"
            + " webhookEndpoint { id } userErrors { field message code } } }";

    @Inject
    MutableClock clock;
    @Inject
    StripeEventWorker worker;
    @Inject
    BillingStore billingStore;
    @Inject
    BillingService billingService;
    @Inject
    FakeHostResolver dns;

    int sequence;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put(FakeHostResolver.ENABLE, "true");
        properties.put("meterline.stripe.webhook.signing-secret", SECRET);
        // The test runs the inbox worker itself, and no webhook is sent: the outbox rows are what is checked.
        properties.put("meterline.stripe.webhook.work-interval", "1h");
        properties.put("meterline.stripe.webhook.max-attempts", "2");
        properties.put("meterline.webhooks.dispatch-interval", "1h");
        return properties;
    }

    @BeforeAll
    void plans() {
        String admin = api.adminToken();
        plan(admin, "Hooks Starter CAD", "49.00", 5_000_000L, "price_1HooksStarterCad");
        plan(admin, "Hooks Growth CAD", "149.00", 20_000_000L, "price_1HooksGrowthCad");
        dns.answer("hooks.example.com", "93.184.216.34");
    }

    @BeforeEach
    void now() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        clock.set(now.isAfter(clock.instant()) ? now : clock.instant().plusSeconds(1));
    }

    private void plan(String admin, String name, String price, long tokens, String stripePriceId) {
        TestApi.Response response = api.graphql(admin, PLAN_CREATE, Map.of("input", Map.of("name", name, "monthlyPrice", price, "currencyCode", "CAD",
                "monthlyTokens", tokens, "resetDay", 1, "stripePriceId", stripePriceId, "visible", true)));
        assertThat(response.at("data.planCreate.userErrors")).as(response.body()).isEqualTo(List.of());
    }

    // ---- tenants, rows and the API ----

    /** A tenant billed in CAD with a Stripe customer of its own. */
    private Fixtures.Tenant tenant(String slug) {
        Fixtures.Tenant tenant = Fixtures.tenant(api, slug, "America/Toronto");
        rows.execute("UPDATE organization SET billing_currency = 'CAD' WHERE id = ?", id(tenant));
        billingService.recordExistingCustomer(id(tenant), customer(tenant));
        return tenant;
    }

    private static long id(Fixtures.Tenant tenant) {
        return GlobalId.decode(tenant.organizationId()).orElseThrow().id();
    }

    private static String customer(Fixtures.Tenant tenant) {
        return "cus_Hooks" + id(tenant);
    }

    private Map<String, Object> query(Fixtures.Tenant tenant, String query, String field) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("org", tenant.organizationId());
        TestApi.Response response = api.graphql(tenant.memberToken(), query, variables);
        assertThat(response.at("errors")).as(response.body()).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> answer = (Map<String, Object>) response.at("data." + field);
        return answer;
    }

    private Map<String, Object> balance(Fixtures.Tenant tenant) {
        return query(tenant, BALANCE, "balance");
    }

    private Map<String, Object> billing(Fixtures.Tenant tenant) {
        return query(tenant, BILLING, "billing");
    }

    private long entries(Fixtures.Tenant tenant, String kind) {
        return rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ? AND kind = ?", id(tenant), kind);
    }

    private long allEntries() {
        return rows.count("SELECT COUNT(*) FROM ledger_entry");
    }

    private Object checkoutStatus(String sessionId) {
        return rows.value("SELECT status FROM billing_checkout WHERE stripe_session_id = ?", sessionId);
    }

    private String session(Fixtures.Tenant tenant, CheckoutKind kind, Long tokens, String amount) {
        String sessionId = "cs_test_hooks_" + (++sequence) + "_" + Long.toHexString(System.nanoTime());
        billingStore.insertCheckout(id(tenant), sessionId, kind, null, tokens, new BigDecimal(amount), "CAD", tenant.adminEmail(), clock.instant());
        return sessionId;
    }

    // ---- Stripe's objects (API reference shapes) and events ----

    private String newEventId() {
        return "evt_test_hooks_" + (++sequence) + "_" + Long.toHexString(System.nanoTime());
    }

    private String event(String id, String type, Instant created, String object) {
        return "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"" + Stripe.API_VERSION + "\",\"created\":" + created.getEpochSecond()
                + ",\"livemode\":false,\"pending_webhooks\":1,\"request\":{\"id\":null,\"idempotency_key\":null},\"type\":\"" + type
                + "\",\"data\":{\"object\":" + object + "}}";
    }

    private static String checkoutSession(String sessionId, String mode, String paymentStatus, String paymentIntent, String clientReference, String metadata) {
        return """
                {"id": "%s", "object": "checkout.session", "amount_subtotal": 5000, "amount_total": 5000, "client_reference_id": "%s", "created": 1679600215,
                 "currency": "cad", "customer": "cus_unused", "expires_at": 1679686615, "livemode": false, "metadata": %s, "mode": "%s",
                 "payment_intent": %s, "payment_status": "%s", "status": "complete", "subscription": null,
                 "success_url": "https://app.example/billing?checkout=success", "url": null}
                """.formatted(sessionId, clientReference, metadata, mode, paymentIntent == null ? "null" : "\"" + paymentIntent + "\"", paymentStatus);
    }

    private static String paidSession(String sessionId, String paymentIntent) {
        return checkoutSession(sessionId, "payment", "paid", paymentIntent, "0", "{}");
    }

    private static String subscription(String id, String customer, String status, String price, Instant periodEnd, boolean cancelAtPeriodEnd) {
        return """
                {"id": "%s", "object": "subscription", "cancel_at_period_end": %s, "collection_method": "charge_automatically", "created": 1679609767,
                 "currency": "cad", "customer": "%s", "livemode": false, "metadata": {}, "status": "%s",
                 "items": {"object": "list", "has_more": false, "url": "/v1/subscription_items?subscription=%s", "data": [
                   {"id": "si_%s", "object": "subscription_item", "created": 1679609768, "current_period_start": %d, "current_period_end": %d,
                    "metadata": {}, "quantity": 1, "subscription": "%s",
                    "price": {"id": "%s", "object": "price", "active": true, "currency": "cad", "product": "prod_NjpI7DbZx6AlWQ", "type": "recurring",
                              "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"}, "unit_amount": 4900}}]}}
                """.formatted(id, cancelAtPeriodEnd, customer, status, id, id, periodEnd.minus(30, ChronoUnit.DAYS).getEpochSecond(), periodEnd.getEpochSecond(),
                id, price);
    }

    private static String invoice(String id, String customer, String subscription, String billingReason, String status, long attemptCount) {
        return """
                {"id": "%s", "object": "invoice", "account_country": "CA", "amount_due": 4900, "amount_paid": %d, "amount_remaining": %d,
                 "attempt_count": %d, "attempted": true, "billing_reason": "%s", "collection_method": "charge_automatically", "currency": "cad",
                 "customer": "%s", "livemode": false, "next_payment_attempt": %s, "status": "%s",
                 "parent": {"type": "subscription_details", "quote_details": null,
                            "subscription_details": {"metadata": {}, "subscription": "%s"}},
                 "period_start": 1764547200, "period_end": 1767225600}
                """.formatted(id, "paid".equals(status) ? 4900 : 0, "paid".equals(status) ? 0 : 4900, attemptCount, billingReason, customer,
                "paid".equals(status) ? "null" : "1767312000", status, subscription);
    }

    private static String charge(String id, String paymentIntent, long amount, long amountRefunded) {
        return """
                {"id": "%s", "object": "charge", "amount": %d, "amount_captured": %d, "amount_refunded": %d, "captured": true, "currency": "cad",
                 "customer": "cus_unused", "livemode": false, "paid": true, "payment_intent": "%s", "refunded": %s, "status": "succeeded"}
                """.formatted(id, amount, amount, amountRefunded, paymentIntent, amountRefunded == amount);
    }

    private static String paymentMethod(String customer, String brand, String last4) {
        return """
                {"id": "pm_1Q0PsIJvEtkwdCNYMSaVuRz6", "object": "payment_method", "type": "card", "customer": "%s", "created": 1726673582, "livemode": false,
                 "billing_details": {"address": null, "email": null, "name": null, "phone": null}, "metadata": {},
                 "card": {"brand": "%s", "country": "US", "exp_month": 12, "exp_year": 2034, "funding": "credit", "last4": "%s"}}
                """.formatted(customer, brand, last4);
    }

    private TestApi.Response post(String payload) {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(server.getURI().resolve("/v1/stripe/webhook"))
                .header("Content-Type", "application/json").header("Stripe-Signature", StripeWebhookIT.sign(SECRET, clock.instant().getEpochSecond(), payload))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(payload)).build();
        TestApi.Response response = api.send(request);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response;
    }

    /** Posts a signed event, runs the worker, and answers the event's status in the inbox. */
    private Object deliver(String payload) {
        post(payload);
        worker.work();
        String id = payload.substring(payload.indexOf("\"id\":\"") + 6, payload.indexOf('"', payload.indexOf("\"id\":\"") + 6));
        return rows.value("SELECT status FROM stripe_event WHERE event_id = ?", id);
    }

    private Object deliver(String type, String object) {
        return deliver(event(newEventId(), type, clock.instant(), object));
    }

    // ---- checkout.session.* ----

    @Test
    void aPaidTopUpCheckoutAddsItsTokensOnceHoweverOftenStripeReportsIt() {
        Fixtures.Tenant tenant = tenant("hooks-topup");
        String sessionId = session(tenant, CheckoutKind.TOP_UP, 1_000_000L, "20.00");
        String completed = event(newEventId(), CheckoutSessionHandler.COMPLETED, clock.instant(), paidSession(sessionId, "pi_topup_" + sequence));
        assertThat(deliver(completed)).isEqualTo("APPLIED");
        assertThat(balance(tenant).get("topUpTokensAvailable")).isEqualTo(1_000_000);
        assertThat(checkoutStatus(sessionId)).isEqualTo("COMPLETED");
        assertThat(entries(tenant, "PURCHASE")).isEqualTo(1);
        assertThat(rows.value("SELECT account_kind FROM ledger_entry WHERE organization_id = ? AND kind = 'PURCHASE'", id(tenant))).isEqualTo("TOPUP_TOKENS");

        // The same event again (Stripe's retry, or an attacker's replay), and another event id for the same session: nothing more.
        assertThat(post(completed).at("duplicate")).isEqualTo(true);
        worker.work();
        assertThat(deliver(CheckoutSessionHandler.ASYNC_SUCCEEDED, paidSession(sessionId, "pi_topup_again"))).isEqualTo("APPLIED");
        assertThat(deliver(CheckoutSessionHandler.COMPLETED, paidSession(sessionId, "pi_topup_again"))).isEqualTo("APPLIED");
        assertThat(balance(tenant).get("topUpTokensAvailable")).isEqualTo(1_000_000);
        assertThat(entries(tenant, "PURCHASE")).isEqualTo(1);
    }

    @Test
    void aCreditPurchasePaidLaterIsCreditedOnlyWhenItsPaymentSucceeds() {
        Fixtures.Tenant tenant = tenant("hooks-credits");
        String sessionId = session(tenant, CheckoutKind.CREDITS, null, "50.00");
        // A bank debit: the checkout completes unpaid.
        assertThat(deliver(CheckoutSessionHandler.COMPLETED, checkoutSession(sessionId, "payment", "unpaid", "pi_credits_1", "0", "{}"))).isEqualTo("APPLIED");
        assertThat(balance(tenant).get("current")).isEqualTo(Map.of("amount", "0.000000000", "currencyCode", "CAD"));
        assertThat(checkoutStatus(sessionId)).isEqualTo("OPEN");
        assertThat(entries(tenant, "PURCHASE")).isZero();

        assertThat(deliver(CheckoutSessionHandler.ASYNC_SUCCEEDED, paidSession(sessionId, "pi_credits_1"))).isEqualTo("APPLIED");
        Map<String, Object> balance = balance(tenant);
        assertThat(balance.get("current")).isEqualTo(Map.of("amount", "50.000000000", "currencyCode", "CAD"));
        assertThat(TestApi.at(balance, "totalPurchased.amount")).isEqualTo("50.000000000");
        assertThat(checkoutStatus(sessionId)).isEqualTo("COMPLETED");
        assertThat(rows.value("SELECT currency FROM ledger_entry WHERE organization_id = ? AND kind = 'PURCHASE'", id(tenant))).isEqualTo("CAD");
    }

    @Test
    void aFailedDelayedPaymentCreditsNothingEvenIfAPaidEventForTheSessionFollows() {
        Fixtures.Tenant tenant = tenant("hooks-async-failed");
        String sessionId = session(tenant, CheckoutKind.CREDITS, null, "75.00");
        long before = allEntries();
        assertThat(deliver(CheckoutSessionHandler.ASYNC_FAILED, checkoutSession(sessionId, "payment", "unpaid", "pi_failed_1", "0", "{}"))).isEqualTo("APPLIED");
        assertThat(checkoutStatus(sessionId)).isEqualTo("FAILED");
        // A "paid" event for the failed session (out of order, or forged with a leaked secret) does not revive it.
        assertThat(deliver(CheckoutSessionHandler.COMPLETED, paidSession(sessionId, "pi_failed_1"))).isEqualTo("APPLIED");
        assertThat(checkoutStatus(sessionId)).isEqualTo("FAILED");
        assertThat(allEntries()).isEqualTo(before);
        assertThat(balance(tenant).get("current")).isEqualTo(Map.of("amount", "0.000000000", "currencyCode", "CAD"));
    }

    @Test
    void aSubscriptionCheckoutCompletesWithoutLedgerEntries() {
        Fixtures.Tenant tenant = tenant("hooks-sub-checkout");
        String sessionId = session(tenant, CheckoutKind.SUBSCRIPTION, null, "49.00");
        long before = allEntries();
        assertThat(deliver(CheckoutSessionHandler.COMPLETED, checkoutSession(sessionId, "subscription", "paid", null, "0", "{}"))).isEqualTo("APPLIED");
        assertThat(checkoutStatus(sessionId)).isEqualTo("COMPLETED");
        assertThat(allEntries()).isEqualTo(before);
        assertThat(TestApi.at(billing(tenant), "plan.name")).as("the subscription events set the plan").isEqualTo("Free");
    }

    @Test
    void aSessionWeNeverCreatedCreditsNothingWhateverItsMetadataClaims() {
        Fixtures.Tenant tenant = tenant("hooks-forged-session");
        Fixtures.Tenant other = tenant("hooks-forged-other");
        long before = allEntries();
        long checkouts = rows.count("SELECT COUNT(*) FROM billing_checkout");
        String metadata = "{\"" + BillingService.METADATA_ORGANIZATION_ID + "\": \"" + id(tenant) + "\", \"" + BillingService.METADATA_CHECKOUT_KIND
                + "\": \"TOP_UP\", \"" + BillingService.METADATA_TOKENS + "\": \"999000000\"}";
        assertThat(deliver(CheckoutSessionHandler.COMPLETED, checkoutSession("cs_test_never_created", "payment", "paid", "pi_x", String.valueOf(id(tenant)), metadata)))
                .isEqualTo("APPLIED");
        assertThat(allEntries()).isEqualTo(before);
        assertThat(rows.count("SELECT COUNT(*) FROM billing_checkout")).isEqualTo(checkouts);
        assertThat(balance(tenant).get("topUpTokensAvailable")).isEqualTo(0);

        // A real session of one organization naming another one as its client reference still credits the one that bought it.
        String sessionId = session(other, CheckoutKind.TOP_UP, 3_000_000L, "54.00");
        deliver(CheckoutSessionHandler.COMPLETED, checkoutSession(sessionId, "payment", "paid", "pi_y", String.valueOf(id(tenant)), metadata));
        assertThat(balance(other).get("topUpTokensAvailable")).isEqualTo(3_000_000);
        assertThat(balance(tenant).get("topUpTokensAvailable")).isEqualTo(0);
    }

    // ---- customer.subscription.* ----

    @Test
    void subscriptionEventsSetThePlanOnlyMoveForwardAndDeletedIsTheFreeBaselineAtOnce() {
        Fixtures.Tenant tenant = tenant("hooks-subscription");
        Instant start = clock.instant();
        Instant periodEnd = Instant.parse("2027-01-07T05:00:00Z");
        String created = event(newEventId(), SubscriptionEventHandler.CREATED, start,
                subscription("sub_hooks_1", customer(tenant), "active", "price_1HooksStarterCad", periodEnd, false));
        assertThat(deliver(created)).isEqualTo("APPLIED");
        Map<String, Object> page = billing(tenant);
        assertThat(TestApi.at(page, "plan.name")).isEqualTo("Hooks Starter CAD");
        assertThat(page.get("subscriptionStatus")).isEqualTo("ACTIVE");
        assertThat(page.get("nextBillingDate")).isEqualTo("2027-01-07");
        assertThat(page.get("tokensRemaining")).isEqualTo(5_000_000);

        clock.set(start.plusSeconds(60));
        assertThat(deliver(SubscriptionEventHandler.UPDATED, subscription("sub_hooks_1", customer(tenant), "active", "price_1HooksGrowthCad", periodEnd, true)))
                .isEqualTo("APPLIED");
        assertThat(TestApi.at(billing(tenant), "plan.name")).isEqualTo("Hooks Growth CAD");
        assertThat(billing(tenant).get("cancelAtPeriodEnd")).isEqualTo(true);

        // Reordered: an older "created" (a new event id, created before the update) arrives now and changes nothing.
        clock.set(start.plusSeconds(120));
        String older = event(newEventId(), SubscriptionEventHandler.CREATED, start.plusSeconds(30),
                subscription("sub_hooks_1", customer(tenant), "trialing", "price_1HooksStarterCad", periodEnd, false));
        assertThat(deliver(older)).isEqualTo("APPLIED");
        page = billing(tenant);
        assertThat(TestApi.at(page, "plan.name")).isEqualTo("Hooks Growth CAD");
        assertThat(page.get("subscriptionStatus")).isEqualTo("ACTIVE");
        assertThat(page.get("tokensRemaining")).isEqualTo(20_000_000);

        assertThat(deliver(SubscriptionEventHandler.DELETED, subscription("sub_hooks_1", customer(tenant), "canceled", "price_1HooksGrowthCad", periodEnd, false)))
                .isEqualTo("APPLIED");
        page = billing(tenant);
        assertThat(TestApi.at(page, "plan.name")).isEqualTo("Free");
        assertThat(page.get("subscriptionStatus")).isEqualTo("CANCELED");
        assertThat(page.get("tokensRemaining")).isEqualTo(0);

        // A subscription of a customer no organization has stores nothing.
        long subscriptions = rows.count("SELECT COUNT(*) FROM billing_subscription");
        assertThat(deliver(SubscriptionEventHandler.CREATED, subscription("sub_hooks_stranger", "cus_nobody", "active", "price_1HooksGrowthCad", periodEnd, false)))
                .isEqualTo("APPLIED");
        assertThat(rows.count("SELECT COUNT(*) FROM billing_subscription")).isEqualTo(subscriptions);
    }

    @Test
    void aSubscriptionToAPriceNoPlanSellsIsRetriedThenFailedAndChangesNothing() {
        Fixtures.Tenant tenant = tenant("hooks-unknown-price");
        long before = allEntries();
        Object status = deliver(SubscriptionEventHandler.CREATED, subscription("sub_hooks_unknown_price", customer(tenant), "active", "price_1NotOurs",
                Instant.parse("2027-01-07T05:00:00Z"), false));
        assertThat(status).isEqualTo("PENDING");
        clock.set(clock.instant().plusSeconds(3600));
        worker.work();
        assertThat(rows.count("SELECT COUNT(*) FROM stripe_event WHERE status = 'FAILED' AND event_type = ?", SubscriptionEventHandler.CREATED)).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM billing_subscription WHERE organization_id = ?", id(tenant))).isZero();
        assertThat(allEntries()).isEqualTo(before);
        assertThat(TestApi.at(billing(tenant), "plan.name")).isEqualTo("Free");
    }

    // ---- invoice.paid ----

    @Test
    void aPaidRenewalInvoiceResetsThePlanTokensOncePerInvoice() {
        Fixtures.Tenant tenant = tenant("hooks-renewal");
        Instant periodEnd = Instant.parse("2027-01-07T05:00:00Z");
        deliver(SubscriptionEventHandler.CREATED, subscription("sub_hooks_renew", customer(tenant), "active", "price_1HooksStarterCad", periodEnd, false));
        // The first invoice came with the subscription, whose event granted the allowance: it grants nothing more.
        assertThat(deliver(InvoicePaidHandler.PAID, invoice("in_hooks_first", customer(tenant), "sub_hooks_renew", "subscription_create", "paid", 1)))
                .isEqualTo("APPLIED");
        assertThat(balance(tenant).get("planTokensRemaining")).isEqualTo(5_000_000);
        // 1,200,000 tokens used this period.
        TestApi.Response used = api.graphql(api.adminToken(), ENTRY_CREATE, Map.of("input", Map.of("organizationId", tenant.organizationId(), "kind", "ADJUSTMENT",
                "account", "PLAN_TOKENS", "amount", "-1200000", "reason", "tokens used in the test")));
        assertThat(used.at("data.ledgerEntryCreate.userErrors")).as(used.body()).isEqualTo(List.of());
        assertThat(balance(tenant).get("planTokensRemaining")).isEqualTo(3_800_000);
        long expiries = entries(tenant, "PLAN_EXPIRY");
        long allowances = entries(tenant, "PLAN_ALLOWANCE");

        String renewal = invoice("in_hooks_renewal", customer(tenant), "sub_hooks_renew", "subscription_cycle", "paid", 1);
        assertThat(deliver(InvoicePaidHandler.PAID, renewal)).isEqualTo("APPLIED");
        assertThat(balance(tenant).get("planTokensRemaining")).isEqualTo(5_000_000);
        assertThat(entries(tenant, "PLAN_EXPIRY")).isEqualTo(expiries + 1);
        assertThat(entries(tenant, "PLAN_ALLOWANCE")).isEqualTo(allowances + 1);

        // The same invoice under another event id (Stripe's invoice.paid sent twice): nothing granted twice.
        TestApi.Response spent = api.graphql(api.adminToken(), ENTRY_CREATE, Map.of("input", Map.of("organizationId", tenant.organizationId(), "kind", "ADJUSTMENT",
                "account", "PLAN_TOKENS", "amount", "-100", "reason", "tokens used in the test")));
        assertThat(spent.at("data.ledgerEntryCreate.userErrors")).as(spent.body()).isEqualTo(List.of());
        assertThat(deliver(InvoicePaidHandler.PAID, renewal)).isEqualTo("APPLIED");
        assertThat(balance(tenant).get("planTokensRemaining")).isEqualTo(4_999_900);
        assertThat(entries(tenant, "PLAN_ALLOWANCE")).isEqualTo(allowances + 1);

        // Paid invoices renew a subscription's plan, not the plan's reset day: 40 days on, without an invoice, nothing resets.
        clock.set(clock.instant().plus(Duration.ofDays(40)));
        assertThat(balance(tenant).get("planTokensRemaining")).isEqualTo(4_999_900);
        assertThat(entries(tenant, "PLAN_ALLOWANCE")).isEqualTo(allowances + 1);
        assertThat(entries(tenant, "PLAN_EXPIRY")).isEqualTo(expiries + 1);

        // A renewal invoice of another subscription, or of a customer no organization has, grants nothing.
        long before = allEntries();
        deliver(InvoicePaidHandler.PAID, invoice("in_hooks_other_sub", customer(tenant), "sub_not_ours", "subscription_cycle", "paid", 1));
        deliver(InvoicePaidHandler.PAID, invoice("in_hooks_stranger", "cus_nobody", "sub_hooks_renew", "subscription_cycle", "paid", 1));
        assertThat(allEntries()).isEqualTo(before);
    }

    // ---- invoice.payment_failed ----

    @Test
    void aFailedRenewalPaymentIsPastDueWithOneAlertOneWebhookEventAndAnEmailToTheAdmins() throws MessagingException {
        Fixtures.Tenant tenant = tenant("hooks-payment-failed");
        TestApi.Response endpoint = api.graphql(tenant.adminToken(), ENDPOINT_CREATE, Map.of("input", Map.of("url", "https://hooks.example.com/meterline",
                "eventTypes", List.of("billing.payment_failed", "budget.threshold", "balance.low"))));
        assertThat(endpoint.at("data.webhookEndpointCreate.userErrors")).as(endpoint.body()).isEqualTo(List.of());
        Instant start = clock.instant();
        Instant periodEnd = Instant.parse("2027-01-07T05:00:00Z");
        deliver(SubscriptionEventHandler.CREATED, subscription("sub_hooks_failing", customer(tenant), "active", "price_1HooksStarterCad", periodEnd, false));

        clock.set(start.plusSeconds(60));
        String failed = event(newEventId(), InvoicePaymentFailedHandler.PAYMENT_FAILED, clock.instant(),
                invoice("in_hooks_failed", customer(tenant), "sub_hooks_failing", "subscription_cycle", "open", 1));
        assertThat(deliver(failed)).isEqualTo("APPLIED");
        Map<String, Object> page = billing(tenant);
        assertThat(page.get("subscriptionStatus")).isEqualTo("PAST_DUE");
        assertThat(TestApi.at(page, "plan.name")).as("past due keeps the plan until Stripe ends the subscription").isEqualTo("Hooks Starter CAD");

        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ?", id(tenant))).as("one event, no budget.threshold copy").isEqualTo(1);
        assertThat(rows.value("SELECT event_type FROM webhook_delivery WHERE organization_id = ?", id(tenant))).isEqualTo("billing.payment_failed");
        assertThat((String) rows.value("SELECT payload FROM webhook_delivery WHERE organization_id = ?", id(tenant)))
                .contains("\"invoiceId\":\"in_hooks_failed\"").contains("\"amount\":\"49.00\"").contains("\"currencyCode\":\"CAD\"");

        Map<String, Object> alerts = query(tenant, ALERTS, "alerts");
        assertThat(alerts.get("totalCount")).isEqualTo(1);
        assertThat(TestApi.at(alerts, "nodes.0.level")).isEqualTo("CRITICAL");
        assertThat((String) TestApi.at(alerts, "nodes.0.message")).contains("49.00 CAD").contains("in_hooks_failed");

        List<MimeMessage> emails = mail.to(tenant.adminEmail(), 1);
        assertThat(emails).hasSize(1);
        assertThat(emails.get(0).getSubject()).contains("Payment failed");
        assertThat(MailServer.body(emails.get(0))).contains("in_hooks_failed");
        assertThat(mail.all()).as("members are not emailed").hasSize(1);

        // Replayed: no second alert, webhook event or email.
        assertThat(post(failed).at("duplicate")).isEqualTo(true);
        worker.work();
        assertThat(query(tenant, ALERTS, "alerts").get("totalCount")).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ?", id(tenant))).isEqualTo(1);
        assertThat(mail.all()).hasSize(1);

        // Reordered: a subscription update created before the failure, arriving after it, does not make it active again.
        String stale = event(newEventId(), SubscriptionEventHandler.UPDATED, start.plusSeconds(30),
                subscription("sub_hooks_failing", customer(tenant), "active", "price_1HooksStarterCad", periodEnd, false));
        assertThat(deliver(stale)).isEqualTo("APPLIED");
        assertThat(billing(tenant).get("subscriptionStatus")).isEqualTo("PAST_DUE");

        // A failed invoice of a customer no organization has changes nothing anywhere.
        long deliveries = rows.count("SELECT COUNT(*) FROM webhook_delivery");
        long alertRows = rows.count("SELECT COUNT(*) FROM alert");
        assertThat(deliver(InvoicePaymentFailedHandler.PAYMENT_FAILED, invoice("in_hooks_stranger_failed", "cus_nobody", "sub_hooks_failing",
                "subscription_cycle", "open", 1))).isEqualTo("APPLIED");
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery")).isEqualTo(deliveries);
        assertThat(rows.count("SELECT COUNT(*) FROM alert")).isEqualTo(alertRows);
        assertThat(mail.all()).hasSize(1);
        assertThat(billing(tenant).get("subscriptionStatus")).isEqualTo("PAST_DUE");
    }

    // ---- charge.refunded ----

    @Test
    void aRefundedCreditPurchaseTakesBackWhatEachRefundAddsAndNeverTwice() {
        Fixtures.Tenant tenant = tenant("hooks-refund");
        String sessionId = session(tenant, CheckoutKind.CREDITS, null, "50.00");
        deliver(CheckoutSessionHandler.COMPLETED, paidSession(sessionId, "pi_hooks_refund"));
        assertThat(TestApi.at(balance(tenant), "current.amount")).isEqualTo("50.000000000");

        String partial = event(newEventId(), ChargeRefundedHandler.REFUNDED, clock.instant(), charge("ch_hooks_refund", "pi_hooks_refund", 5000, 2000));
        assertThat(deliver(partial)).isEqualTo("APPLIED");
        assertThat(TestApi.at(balance(tenant), "current.amount")).isEqualTo("30.000000000");
        assertThat(rows.value("SELECT amount FROM ledger_entry WHERE organization_id = ? AND kind = 'REFUND'", id(tenant)))
                .satisfies(amount -> assertThat(new BigDecimal(amount.toString())).isEqualByComparingTo("-20"));

        // The same refund under another event id, then the rest refunded, then the older event arriving late.
        assertThat(deliver(ChargeRefundedHandler.REFUNDED, charge("ch_hooks_refund", "pi_hooks_refund", 5000, 2000))).isEqualTo("APPLIED");
        assertThat(TestApi.at(balance(tenant), "current.amount")).isEqualTo("30.000000000");
        assertThat(deliver(ChargeRefundedHandler.REFUNDED, charge("ch_hooks_refund", "pi_hooks_refund", 5000, 5000))).isEqualTo("APPLIED");
        assertThat(TestApi.at(balance(tenant), "current.amount")).isEqualTo("0.000000000");
        assertThat(post(partial).at("duplicate")).isEqualTo(true);
        assertThat(deliver(ChargeRefundedHandler.REFUNDED, charge("ch_hooks_refund", "pi_hooks_refund", 5000, 2000))).isEqualTo("APPLIED");
        assertThat(TestApi.at(balance(tenant), "current.amount")).isEqualTo("0.000000000");
        assertThat(TestApi.at(balance(tenant), "creditsUsed.amount")).as("a card refund undoes no usage").isEqualTo("0.000000000");
        assertThat(entries(tenant, "REFUND")).isEqualTo(2);

        // A charge no checkout of ours was paid with takes nothing.
        long before = allEntries();
        deliver(ChargeRefundedHandler.REFUNDED, charge("ch_hooks_stranger", "pi_not_ours", 5000, 5000));
        assertThat(allEntries()).isEqualTo(before);
    }

    @Test
    void aRefundedTopUpTakesBackItsShareOfTheTokensAtMostThoseLeft() {
        Fixtures.Tenant tenant = tenant("hooks-topup-refund");
        String topUp = session(tenant, CheckoutKind.TOP_UP, 1_000_000L, "20.00");
        deliver(CheckoutSessionHandler.COMPLETED, paidSession(topUp, "pi_hooks_topup_refund"));
        assertThat(balance(tenant).get("topUpTokensAvailable")).isEqualTo(1_000_000);

        // A quarter refunded: a quarter of the pack taken back, once however often Stripe says it.
        assertThat(deliver(ChargeRefundedHandler.REFUNDED, charge("ch_hooks_topup", "pi_hooks_topup_refund", 2000, 500))).isEqualTo("APPLIED");
        assertThat(deliver(ChargeRefundedHandler.REFUNDED, charge("ch_hooks_topup", "pi_hooks_topup_refund", 2000, 500))).isEqualTo("APPLIED");
        assertThat(balance(tenant).get("topUpTokensAvailable")).isEqualTo(750_000);
        assertThat(entries(tenant, "REFUND")).isEqualTo(1);

        // 700,000 of the rest used; the whole refund then takes back only the 50,000 left: used tokens stay used.
        TestApi.Response used = api.graphql(api.adminToken(), ENTRY_CREATE, Map.of("input", Map.of("organizationId", tenant.organizationId(), "kind", "ADJUSTMENT",
                "account", "TOPUP_TOKENS", "amount", "-700000", "reason", "tokens used in the test")));
        assertThat(used.at("data.ledgerEntryCreate.userErrors")).as(used.body()).isEqualTo(List.of());
        assertThat(deliver(ChargeRefundedHandler.REFUNDED, charge("ch_hooks_topup", "pi_hooks_topup_refund", 2000, 2000))).isEqualTo("APPLIED");
        assertThat(balance(tenant).get("topUpTokensAvailable")).isEqualTo(0);
        assertThat(entries(tenant, "REFUND")).isEqualTo(2);
        assertThat(rows.value("SELECT MIN(amount) FROM ledger_entry WHERE organization_id = ? AND kind = 'REFUND'", id(tenant)))
                .satisfies(amount -> assertThat(new BigDecimal(amount.toString())).isEqualByComparingTo("-250000"));
        assertThat(rows.value("SELECT refunded_amount FROM billing_checkout WHERE stripe_session_id = ?", topUp))
                .satisfies(amount -> assertThat(new BigDecimal(amount.toString())).isEqualByComparingTo("20"));
    }

    @Test
    void aRefundInAnotherCurrencyThanThePurchaseIsRetriedThenFailedAndTakesNothing() {
        Fixtures.Tenant tenant = tenant("hooks-refund-currency");
        String sessionId = session(tenant, CheckoutKind.CREDITS, null, "50.00");
        deliver(CheckoutSessionHandler.COMPLETED, paidSession(sessionId, "pi_hooks_refund_currency"));
        long before = allEntries();
        String usd = charge("ch_hooks_usd", "pi_hooks_refund_currency", 5000, 5000).replace("\"currency\": \"cad\"", "\"currency\": \"usd\"");
        assertThat(deliver(ChargeRefundedHandler.REFUNDED, usd)).isEqualTo("PENDING");
        clock.set(clock.instant().plusSeconds(3600));
        worker.work();
        assertThat(rows.count("SELECT COUNT(*) FROM stripe_event WHERE status = 'FAILED' AND event_type = ?", ChargeRefundedHandler.REFUNDED)).isEqualTo(1);
        assertThat(allEntries()).isEqualTo(before);
        assertThat(rows.value("SELECT refunded_amount FROM billing_checkout WHERE stripe_session_id = ?", sessionId))
                .satisfies(amount -> assertThat(new BigDecimal(amount.toString())).isZero());
        assertThat(TestApi.at(balance(tenant), "current.amount")).isEqualTo("50.000000000");
    }

    // ---- payment_method.attached ----

    @Test
    void anAttachedCardIsThePaymentMethodOnFileOfItsCustomerOnly() {
        Fixtures.Tenant tenant = tenant("hooks-card");
        assertThat(deliver(PaymentMethodAttachedHandler.ATTACHED, paymentMethod(customer(tenant), "mastercard", "4444"))).isEqualTo("APPLIED");
        assertThat(billing(tenant).get("paymentMethod")).isEqualTo(Map.of("brand", "mastercard", "last4", "4444"));
        long cards = rows.count("SELECT COUNT(*) FROM billing_customer WHERE payment_method_last4 IS NOT NULL");
        assertThat(deliver(PaymentMethodAttachedHandler.ATTACHED, paymentMethod("cus_nobody", "visa", "0005"))).isEqualTo("APPLIED");
        assertThat(rows.count("SELECT COUNT(*) FROM billing_customer WHERE payment_method_last4 IS NOT NULL")).isEqualTo(cards);
        assertThat(billing(tenant).get("paymentMethod")).isEqualTo(Map.of("brand", "mastercard", "last4", "4444"));
    }
}
