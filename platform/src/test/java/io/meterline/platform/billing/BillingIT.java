package io.meterline.platform.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.meterline.platform.billing.StripeFixtures.form;
import static io.meterline.platform.billing.StripeFixtures.json;
import static io.meterline.platform.billing.StripeFixtures.requests;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Billing page and the Stripe actions, with WireMock in Stripe's place: what we send Stripe
 * (mode, line items, customer, our organization id, return URLs, the idempotency key), what we
 * store, and every refusal (typed error, nothing sent, nothing stored).
 */
class BillingIT extends ServerTest {

    private static final String BILLING = "query($org: ID) { billing(organizationId: $org) { configured plan { name } monthlyPrice { amount currencyCode }"
            + " tokensUsedThisMonth tokensRemaining periodStart tokensResetDate nextBillingDate subscriptionStatus cancelAtPeriodEnd topUpTokensAvailable"
            + " paymentMethod { brand last4 } planOptions { id name stripePriceId visible } topUpPacks { id tokens price { amount currencyCode } }"
            + " creditPurchaseMaximum { amount currencyCode }"
            + " actions { startSubscription changePlan buyTopUp buyCredits openPortal manageSubscription } } }";
    private static final String SUBSCRIBE = "mutation($input: SubscriptionCheckoutCreateInput!) { subscriptionCheckoutCreate(input: $input) { url userErrors { field message code } } }";
    private static final String TOP_UP = "mutation($input: TopUpCheckoutCreateInput!) { topUpCheckoutCreate(input: $input) { url userErrors { field message code } } }";
    private static final String CREDITS = "mutation($input: CreditsCheckoutCreateInput!) { creditsCheckoutCreate(input: $input) { url userErrors { field message code } } }";
    private static final String PORTAL = "mutation($input: BillingPortalSessionCreateInput!) { billingPortalSessionCreate(input: $input) { url userErrors { field message code } } }";
    private static final String PLAN_CREATE = "mutation($input: PlanCreateInput!) { planCreate(input: $input) { plan { id stripePriceId visible } userErrors { field code } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    BillingService billingService;

    @Inject
    MutableClock clock;

    WireMockServer stripe;
    Rows rows;
    String admin;
    String starter;
    String growth;
    String hidden;
    String dollars;

    @Override
    public Map<String, String> getProperties() {
        // Started here: the server's configuration needs its port.
        stripe = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        stripe.start();
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.stripe.secret-key", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
        properties.put("meterline.stripe.api-base", "http://localhost:" + stripe.port());
        properties.put("meterline.stripe.success-url", "https://app.example/billing?checkout=success&session={CHECKOUT_SESSION_ID}");
        properties.put("meterline.stripe.cancel-url", "https://app.example/billing?checkout=cancelled");
        properties.put("meterline.stripe.portal-return-url", "https://app.example/billing");
        properties.put("meterline.stripe.read-timeout", "300ms");
        properties.put("meterline.stripe.credit-purchase-maximum", "500");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        admin = api.adminToken();
        starter = plan("Starter CAD", "49.00", "CAD", 5_000_000L, "price_1StarterCad", true);
        growth = plan("Growth CAD", "149.00", "CAD", 20_000_000L, "price_1GrowthCad", true);
        hidden = plan("Contract CAD", "990.00", "CAD", 100_000_000L, "price_1ContractCad", false);
        dollars = plan("Starter USD", "39.00", "USD", 5_000_000L, "price_1StarterUsd", true);
    }

    @AfterAll
    void stopStripe() {
        stripe.stop();
    }

    @BeforeEach
    void resetStripe() {
        stripe.resetAll();
        StripeFixtures.happy(stripe);
    }

    private String plan(String name, String price, String currency, long tokens, String stripePriceId, boolean visible) {
        TestApi.Response response = api.graphql(admin, PLAN_CREATE, Map.of("input", Map.of("name", name, "monthlyPrice", price, "currencyCode", currency,
                "monthlyTokens", tokens, "resetDay", 1, "stripePriceId", stripePriceId, "visible", visible)));
        assertThat(response.at("data.planCreate.userErrors")).as(response.body()).isEqualTo(List.of());
        assertThat(response.at("data.planCreate.plan.stripePriceId")).isEqualTo(stripePriceId);
        return (String) response.at("data.planCreate.plan.id");
    }

    /** A tenant billed in CAD. */
    private Fixtures.Tenant tenant(String slug) {
        Fixtures.Tenant tenant = Fixtures.tenant(api, slug, "America/Toronto");
        rows.execute("UPDATE organization SET billing_currency = 'CAD' WHERE id = ?", id(tenant));
        StripeFixtures.customerWillBe(stripe, customerId(tenant));
        return tenant;
    }

    /** The Stripe customer WireMock creates for the tenant. */
    private static String customerId(Fixtures.Tenant tenant) {
        return "cus_Test" + id(tenant);
    }

    private static long id(Fixtures.Tenant tenant) {
        return GlobalId.decode(tenant.organizationId()).orElseThrow().id();
    }

    private Map<String, Object> billing(String token, Fixtures.Tenant tenant) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("org", tenant.organizationId());
        TestApi.Response response = api.graphql(token, BILLING, variables);
        assertThat(response.at("errors")).as(response.body()).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> billing = (Map<String, Object>) response.at("data.billing");
        return billing;
    }

    private long checkouts(Fixtures.Tenant tenant) {
        return rows.count("SELECT COUNT(*) FROM billing_checkout WHERE organization_id = ?", id(tenant));
    }

    private long customers(Fixtures.Tenant tenant) {
        return rows.count("SELECT COUNT(*) FROM billing_customer WHERE organization_id = ?", id(tenant));
    }

    private static String header(Request request, String name) {
        return request.getHeader(name);
    }

    @Test
    void theBillingPageAnswersPlanUsageOptionsAndPacksAndMembersCannotAct() {
        Fixtures.Tenant tenant = tenant("bill-page");
        Map<String, Object> member = billing(tenant.memberToken(), tenant);
        assertThat(member.get("configured")).isEqualTo(true);
        assertThat(TestApi.at(member, "plan.name")).isEqualTo("Free");
        assertThat(member.get("monthlyPrice")).isEqualTo(Map.of("amount", "0.00", "currencyCode", "CAD"));
        assertThat(member.get("subscriptionStatus")).isNull();
        assertThat(member.get("nextBillingDate")).isNull();
        assertThat(member.get("paymentMethod")).isNull();
        assertThat(member.get("tokensUsedThisMonth")).isEqualTo(0);
        // Visible CAD plans and the free baseline: not the hidden one, not the USD one.
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> options = (List<Map<String, Object>>) member.get("planOptions");
        assertThat(options).extracting(option -> option.get("name")).contains("Free", "Starter CAD", "Growth CAD").doesNotContain("Contract CAD", "Starter USD");
        assertThat(member.get("topUpPacks")).isEqualTo(List.of(
                Map.of("id", "CAD-1000000", "tokens", 1_000_000, "price", Map.of("amount", "20.00", "currencyCode", "CAD")),
                Map.of("id", "CAD-3000000", "tokens", 3_000_000, "price", Map.of("amount", "54.00", "currencyCode", "CAD"))));
        assertThat(member.get("creditPurchaseMaximum")).isEqualTo(Map.of("amount", "500", "currencyCode", "CAD"));
        assertThat(member.get("actions")).isEqualTo(Map.of("startSubscription", false, "changePlan", false, "buyTopUp", false, "buyCredits", false,
                "openPortal", false, "manageSubscription", false));
        Map<String, Object> owner = billing(tenant.adminToken(), tenant);
        assertThat(owner.get("actions")).isEqualTo(Map.of("startSubscription", true, "changePlan", false, "buyTopUp", true, "buyCredits", true,
                "openPortal", true, "manageSubscription", false));
        // Reading the page creates nothing at Stripe.
        assertThat(stripe.getAllServeEvents()).isEmpty();
    }

    @Test
    void aSubscriptionCheckoutCreatesTheCustomerOnceAndSendsThePlansPriceWithOurOrganization() throws InterruptedException {
        Fixtures.Tenant tenant = tenant("bill-subscribe");
        api.graphql(tenant.adminToken(), "mutation($input: CompanyDetailsUpdateInput!) { companyDetailsUpdate(input: $input) { userErrors { code } } }",
                Map.of("input", Map.of("companyName", "Bill Subscribe Dental Inc.", "billingEmail", "ap@subscribe.example", "addressLine1", "1 King St W",
                        "city", "Toronto", "region", "ON", "postalCode", "M5H 1A1", "country", "CA")));
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions")).willReturn(json(200, StripeFixtures.checkoutSession("subscription"))));
        TestApi.Response response = api.graphql(tenant.adminToken(), SUBSCRIBE, Map.of("input", Map.of("planId", starter)));
        assertThat(response.at("data.subscriptionCheckoutCreate.userErrors")).as(response.body()).isEqualTo(List.of());
        assertThat(response.at("data.subscriptionCheckoutCreate.url")).isEqualTo(StripeFixtures.CHECKOUT_URL);

        List<LoggedRequest> customers = requests(stripe, "/v1/customers");
        assertThat(customers).hasSize(1);
        assertThat(header(customers.get(0), "Idempotency-Key")).isEqualTo("meterline-customer-" + id(tenant));
        assertThat(header(customers.get(0), "Authorization")).isEqualTo("Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc");
        Map<String, String> customer = form(customers.get(0));
        assertThat(customer).containsEntry("name", "Bill Subscribe Dental Inc.").containsEntry("email", "ap@subscribe.example")
                .containsEntry("address[line1]", "1 King St W").containsEntry("address[city]", "Toronto").containsEntry("address[country]", "CA")
                .containsEntry("metadata[meterline_organization_id]", Long.toString(id(tenant)));

        List<LoggedRequest> sessions = requests(stripe, "/v1/checkout/sessions");
        assertThat(sessions).hasSize(1);
        assertThat(header(sessions.get(0), "Idempotency-Key")).startsWith("meterline-checkout-");
        Map<String, String> session = form(sessions.get(0));
        assertThat(session).containsEntry("mode", "subscription").containsEntry("customer", customerId(tenant))
                .containsEntry("line_items[0][price]", "price_1StarterCad").containsEntry("line_items[0][quantity]", "1")
                .containsEntry("client_reference_id", Long.toString(id(tenant)))
                .containsEntry("metadata[meterline_organization_id]", Long.toString(id(tenant))).containsEntry("metadata[meterline_checkout_kind]", "SUBSCRIPTION")
                .containsEntry("subscription_data[metadata][meterline_organization_id]", Long.toString(id(tenant)))
                .containsEntry("success_url", "https://app.example/billing?checkout=success&session={CHECKOUT_SESSION_ID}")
                .containsEntry("cancel_url", "https://app.example/billing?checkout=cancelled");
        assertThat(rows.value("SELECT kind FROM billing_checkout WHERE organization_id = ?", id(tenant))).isEqualTo("SUBSCRIPTION");
        assertThat(rows.value("SELECT stripe_customer_id FROM billing_customer WHERE organization_id = ?", id(tenant))).isEqualTo(customerId(tenant));

        // The next action reuses the customer: nothing changed in BILL TO, so no update either.
        stripe.resetRequests();
        TestApi.Response topUp = api.graphql(tenant.adminToken(), TOP_UP, Map.of("input", Map.of("packId", "CAD-1000000")));
        assertThat(topUp.at("data.topUpCheckoutCreate.userErrors")).as(topUp.body()).isEqualTo(List.of());
        assertThat(stripe.getAllServeEvents()).extracting(event -> event.getRequest().getUrl()).containsExactly("/v1/checkout/sessions");

        // A BILL TO change goes to the customer once the save commits, without waiting for another action,
        // with a key made from our id and the new details.
        stripe.resetRequests();
        CountDownLatch updated = new CountDownLatch(1);
        List<Request> updates = new CopyOnWriteArrayList<>();
        stripe.addMockServiceRequestListener((request, answer) -> {
            if (request.getUrl().equals("/v1/customers/" + customerId(tenant))) {
                // A copy: the server recycles the live request once answered.
                updates.add(LoggedRequest.createFrom(request));
                updated.countDown();
            }
        });
        TestApi.Response saved = api.graphql(tenant.adminToken(), "mutation($input: CompanyDetailsUpdateInput!) { companyDetailsUpdate(input: $input) { userErrors { code } } }",
                Map.of("input", Map.of("companyName", "Bill Subscribe Dental Inc.", "billingEmail", "billing@subscribe.example", "country", "CA")));
        assertThat(saved.at("data.companyDetailsUpdate.userErrors")).as(saved.body()).isEqualTo(List.of());
        assertThat(updated.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(form(updates.get(0))).containsEntry("email", "billing@subscribe.example").containsEntry("name", "Bill Subscribe Dental Inc.")
                .containsEntry("phone", "");
        assertThat(header(updates.get(0), "Idempotency-Key")).startsWith("meterline-customer-" + id(tenant) + "-");
        // An action racing the update may send it again, with the same key (Stripe answers it once); after that, nothing is re-sent.
        api.graphql(tenant.adminToken(), PORTAL, Map.of("input", Map.of()));
        assertThat(updates).extracting(request -> header(request, "Idempotency-Key")).containsOnly(header(updates.get(0), "Idempotency-Key"));
        stripe.resetRequests();
        api.graphql(tenant.adminToken(), PORTAL, Map.of("input", Map.of()));
        assertThat(requests(stripe, "/v1/customers/" + customerId(tenant))).isEmpty();
        assertThat(customers(tenant)).isEqualTo(1);
    }

    @Test
    void topUpAndCreditCheckoutsChargeTheBillingCurrencyInMinorUnits() {
        Fixtures.Tenant tenant = tenant("bill-topup");
        TestApi.Response topUp = api.graphql(tenant.adminToken(), TOP_UP, Map.of("input", Map.of("packId", "CAD-3000000")));
        assertThat(topUp.at("data.topUpCheckoutCreate.url")).as(topUp.body()).isEqualTo(StripeFixtures.CHECKOUT_URL);
        Map<String, String> session = form(requests(stripe, "/v1/checkout/sessions").get(0));
        assertThat(session).containsEntry("mode", "payment").containsEntry("customer", customerId(tenant))
                .containsEntry("line_items[0][price_data][currency]", "cad").containsEntry("line_items[0][price_data][unit_amount]", "5400")
                .containsEntry("line_items[0][price_data][product_data][name]", "3,000,000 top-up tokens")
                .containsEntry("metadata[meterline_checkout_kind]", "TOP_UP").containsEntry("metadata[meterline_pack_id]", "CAD-3000000")
                .containsEntry("metadata[meterline_tokens]", "3000000")
                .containsEntry("payment_intent_data[metadata][meterline_organization_id]", Long.toString(id(tenant)));
        assertThat(rows.value("SELECT tokens FROM billing_checkout WHERE organization_id = ? AND kind = 'TOP_UP'", id(tenant))).isEqualTo(3_000_000L);

        stripe.resetRequests();
        TestApi.Response credits = api.graphql(tenant.adminToken(), CREDITS, Map.of("input", Map.of("amount", "50.5")));
        assertThat(credits.at("data.creditsCheckoutCreate.url")).as(credits.body()).isEqualTo(StripeFixtures.CHECKOUT_URL);
        Map<String, String> purchase = form(requests(stripe, "/v1/checkout/sessions").get(0));
        assertThat(purchase).containsEntry("mode", "payment").containsEntry("line_items[0][price_data][currency]", "cad")
                .containsEntry("line_items[0][price_data][unit_amount]", "5050").containsEntry("metadata[meterline_checkout_kind]", "CREDITS");
        assertThat(rows.value("SELECT amount FROM billing_checkout WHERE organization_id = ? AND kind = 'CREDITS'", id(tenant)).toString()).isEqualTo("50.500000000");
        assertThat(checkouts(tenant)).isEqualTo(2);
    }

    /** Every refusal: the typed error, no request to Stripe, no row. */
    @Test
    void badInputIsRefusedBeforeStripeIsCalledOrAnythingIsStored() {
        Fixtures.Tenant tenant = tenant("bill-hostile");
        Fixtures.Tenant other = tenant("bill-other");
        String token = tenant.adminToken();
        assertUserError(token, SUBSCRIBE, Map.of("planId", "not-a-global-id"), "subscriptionCheckoutCreate", "NOT_FOUND");
        assertUserError(token, SUBSCRIBE, Map.of("planId", GlobalId.encode("Plan", 987_654L)), "subscriptionCheckoutCreate", "NOT_FOUND");
        assertUserError(token, SUBSCRIBE, Map.of("planId", tenant.organizationId()), "subscriptionCheckoutCreate", "NOT_FOUND");
        assertUserError(token, SUBSCRIBE, Map.of("planId", hidden), "subscriptionCheckoutCreate", "NOT_FOUND");
        assertUserError(token, SUBSCRIBE, Map.of("planId", dollars), "subscriptionCheckoutCreate", "CURRENCY_MISMATCH");
        String free = (String) api.graphql(admin, "{ plans { id freeBaseline } }").pluck("data.plans", "id").get(0);
        assertUserError(token, SUBSCRIBE, Map.of("planId", free), "subscriptionCheckoutCreate", "INVALID_STATE");
        assertUserError(token, TOP_UP, Map.of("packId", "CAD-999"), "topUpCheckoutCreate", "NOT_FOUND");
        assertUserError(token, TOP_UP, Map.of("packId", "USD-1000000"), "topUpCheckoutCreate", "CURRENCY_MISMATCH");
        assertUserError(token, TOP_UP, Map.of("packId", "CAD-1000000' OR '1'='1"), "topUpCheckoutCreate", "NOT_FOUND");
        assertUserError(token, TOP_UP, Map.of("packId", "CAD-" + "9".repeat(10_000)), "topUpCheckoutCreate", "NOT_FOUND");
        assertUserError(token, SUBSCRIBE, Map.of("planId", "UGxhbjo" + "x".repeat(10_000)), "subscriptionCheckoutCreate", "NOT_FOUND");
        assertUserError(token, CREDITS, Map.of("amount", "0"), "creditsCheckoutCreate", "OUT_OF_RANGE");
        assertUserError(token, CREDITS, Map.of("amount", "-5"), "creditsCheckoutCreate", "OUT_OF_RANGE");
        assertUserError(token, CREDITS, Map.of("amount", "500.01"), "creditsCheckoutCreate", "OUT_OF_RANGE");
        assertUserError(token, CREDITS, Map.of("amount", "1e30"), "creditsCheckoutCreate", "OUT_OF_RANGE");
        assertUserError(token, CREDITS, Map.of("amount", "10.001"), "creditsCheckoutCreate", "INVALID");
        assertUserError(token, PORTAL, Map.of("flow", "SUBSCRIPTION_UPDATE"), "billingPortalSessionCreate", "INVALID_STATE");
        assertUserError(token, PORTAL, Map.of("flow", "SUBSCRIPTION_CANCEL"), "billingPortalSessionCreate", "INVALID_STATE");
        // A member, another organization's admin, and the platform admin may not pay for the organization.
        assertTopLevelError(tenant.memberToken(), TOP_UP, Map.of("packId", "CAD-1000000"), "FORBIDDEN");
        assertTopLevelError(tenant.memberToken(), PORTAL, Map.of(), "FORBIDDEN");
        assertTopLevelError(other.adminToken(), TOP_UP, Map.of("organizationId", tenant.organizationId(), "packId", "CAD-1000000"), "NOT_FOUND");
        assertTopLevelError(other.adminToken(), SUBSCRIBE, Map.of("organizationId", tenant.organizationId(), "planId", starter), "NOT_FOUND");
        assertTopLevelError(other.adminToken(), CREDITS, Map.of("organizationId", tenant.organizationId(), "amount", "10"), "NOT_FOUND");
        assertTopLevelError(admin, TOP_UP, Map.of("organizationId", tenant.organizationId(), "packId", "CAD-1000000"), "FORBIDDEN");
        assertThat(stripe.getAllServeEvents()).isEmpty();
        assertThat(checkouts(tenant)).isZero();
        assertThat(customers(tenant)).isZero();
        assertThat(customers(other)).isZero();
    }

    private void assertUserError(String token, String mutation, Map<String, Object> input, String field, String code) {
        TestApi.Response response = api.graphql(token, mutation, Map.of("input", input));
        assertThat(response.at("errors")).as(response.body()).isNull();
        assertThat(response.codes("data." + field + ".userErrors")).as(response.body()).containsExactly(code);
        assertThat(response.at("data." + field + ".url")).isNull();
    }

    private void assertTopLevelError(String token, String mutation, Map<String, Object> input, String code) {
        TestApi.Response response = api.graphql(token, mutation, Map.of("input", input));
        assertThat(response.at("errors.0.extensions.code")).as(response.body()).isEqualTo(code);
    }

    @Test
    void stripeFailingIsRetriedWithTheSameKeyAndThenAClearErrorWithNothingStored() {
        Fixtures.Tenant tenant = tenant("bill-stripe-down");
        // A 500 on every attempt: the first and the two retries carry one key; no checkout is stored.
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions")).willReturn(json(500, StripeFixtures.error("api_error", "", "An unknown error occurred"))));
        TestApi.Response failed = api.graphql(tenant.adminToken(), TOP_UP, Map.of("input", Map.of("packId", "CAD-1000000")));
        assertThat(failed.codes("data.topUpCheckoutCreate.userErrors")).as(failed.body()).containsExactly("PAYMENT_PROVIDER_ERROR");
        assertThat((String) failed.at("data.topUpCheckoutCreate.userErrors.0.message")).contains("Nothing was charged");
        List<LoggedRequest> attempts = requests(stripe, "/v1/checkout/sessions");
        assertThat(attempts).hasSize(3);
        assertThat(attempts).extracting(request -> header(request, "Idempotency-Key")).containsOnly(header(attempts.get(0), "Idempotency-Key"));
        assertThat(checkouts(tenant)).isZero();

        // A 4xx is Stripe refusing the request: not retried, nothing stored, and Stripe's message stays in the log.
        stripe.resetRequests();
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions")).willReturn(json(400,
                StripeFixtures.error("invalid_request_error", "resource_missing", "No such price: 'price_1StarterCad'"))));
        TestApi.Response refused = api.graphql(tenant.adminToken(), SUBSCRIBE, Map.of("input", Map.of("planId", starter)));
        assertThat(refused.codes("data.subscriptionCheckoutCreate.userErrors")).as(refused.body()).containsExactly("PAYMENT_PROVIDER_ERROR");
        assertThat((String) refused.at("data.subscriptionCheckoutCreate.userErrors.0.message")).doesNotContain("price_1StarterCad");
        assertThat(requests(stripe, "/v1/checkout/sessions")).hasSize(1);
        assertThat(checkouts(tenant)).isZero();

        // Two 500s, then Stripe answers: the third attempt, with the same key, succeeds and one checkout is stored.
        stripe.resetAll();
        StripeFixtures.happy(stripe);
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(500, StripeFixtures.error("api_error", "", "boom"))).willSetStateTo("second"));
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions")).inScenario("flaky").whenScenarioStateIs("second")
                .willReturn(json(503, StripeFixtures.error("api_error", "", "boom"))).willSetStateTo("third"));
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions")).inScenario("flaky").whenScenarioStateIs("third")
                .willReturn(json(200, StripeFixtures.checkoutSession("payment"))));
        TestApi.Response recovered = api.graphql(tenant.adminToken(), TOP_UP, Map.of("input", Map.of("packId", "CAD-1000000")));
        assertThat(recovered.at("data.topUpCheckoutCreate.url")).as(recovered.body()).isEqualTo(StripeFixtures.CHECKOUT_URL);
        List<LoggedRequest> retried = requests(stripe, "/v1/checkout/sessions");
        assertThat(retried).hasSize(3);
        assertThat(retried).extracting(request -> header(request, "Idempotency-Key")).containsOnly(header(retried.get(0), "Idempotency-Key"));
        assertThat(checkouts(tenant)).isEqualTo(1);
    }

    /** Two admins (or a double click) starting checkouts at once: one customer, asked for with one key, and both checkouts work. */
    @Test
    void concurrentFirstCheckoutsShareOneCustomer() throws Exception {
        Fixtures.Tenant tenant = tenant("bill-race");
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            List<Future<TestApi.Response>> answers = new ArrayList<>();
            for (String pack : List.of("CAD-1000000", "CAD-3000000")) {
                answers.add(executor.submit(() -> {
                    start.await();
                    return api.graphql(tenant.adminToken(), TOP_UP, Map.of("input", Map.of("packId", pack)));
                }));
            }
            start.countDown();
            for (Future<TestApi.Response> answer : answers) {
                TestApi.Response response = answer.get(30, TimeUnit.SECONDS);
                assertThat(response.at("data.topUpCheckoutCreate.url")).as(response.body()).isEqualTo(StripeFixtures.CHECKOUT_URL);
            }
        }
        finally {
            executor.shutdownNow();
        }
        assertThat(requests(stripe, "/v1/customers")).extracting(request -> header(request, "Idempotency-Key")).containsOnly("meterline-customer-" + id(tenant));
        assertThat(customers(tenant)).isEqualTo(1);
        assertThat(checkouts(tenant)).isEqualTo(2);
    }

    @Test
    void stripeTimingOutIsRetriedThenRefusedAndAFailedCustomerCreationStoresNoCustomer() {
        Fixtures.Tenant tenant = tenant("bill-timeout");
        // The customer cannot be created: no billing_customer row, no checkout.
        stripe.stubFor(post(urlEqualTo("/v1/customers")).willReturn(json(200, StripeFixtures.customer(customerId(tenant))).withFixedDelay(1_500)));
        TestApi.Response response = api.graphql(tenant.adminToken(), CREDITS, Map.of("input", Map.of("amount", "25")));
        assertThat(response.codes("data.creditsCheckoutCreate.userErrors")).as(response.body()).containsExactly("PAYMENT_PROVIDER_ERROR");
        assertThat((String) response.at("data.creditsCheckoutCreate.userErrors.0.message")).contains("did not answer in time");
        List<LoggedRequest> attempts = requests(stripe, "/v1/customers");
        assertThat(attempts).hasSize(3);
        assertThat(attempts).extracting(request -> header(request, "Idempotency-Key")).containsOnly("meterline-customer-" + id(tenant));
        assertThat(requests(stripe, "/v1/checkout/sessions")).isEmpty();
        assertThat(customers(tenant)).isZero();
        assertThat(checkouts(tenant)).isZero();
    }

    @Test
    void aSubscriptionFromStripeSetsThePlanMovesOnlyForwardAndItsEndReturnsToTheFreeBaseline() {
        Fixtures.Tenant tenant = tenant("bill-lifecycle");
        api.graphql(tenant.adminToken(), PORTAL, Map.of("input", Map.of()));
        assertThat(customers(tenant)).isEqualTo(1);
        Instant now = Instant.parse("2026-11-10T12:00:00Z");
        clock.set(now);
        Instant periodEnd = Instant.parse("2026-12-10T05:00:00Z");
        assertThat(billingService.applySubscription(new BillingService.SubscriptionChange(customerId(tenant), "sub_1Lifecycle", "si_1Lifecycle",
                "price_1StarterCad", "active", periodEnd, false, now))).isTrue();
        billingService.applyPaymentMethod(customerId(tenant), "visa", "4242");
        Map<String, Object> page = billing(tenant.memberToken(), tenant);
        assertThat(TestApi.at(page, "plan.name")).isEqualTo("Starter CAD");
        assertThat(page.get("monthlyPrice")).isEqualTo(Map.of("amount", "49.000000000", "currencyCode", "CAD"));
        assertThat(page.get("subscriptionStatus")).isEqualTo("ACTIVE");
        assertThat(page.get("nextBillingDate")).isEqualTo("2026-12-10");
        assertThat(page.get("tokensRemaining")).isEqualTo(5_000_000);
        assertThat(page.get("paymentMethod")).isEqualTo(Map.of("brand", "visa", "last4", "4242"));
        assertThat(TestApi.at(billing(tenant.adminToken(), tenant), "actions")).isEqualTo(Map.of("startSubscription", false, "changePlan", true,
                "buyTopUp", true, "buyCredits", true, "openPortal", true, "manageSubscription", true));

        // A plan change of the live subscription is the portal's confirmation of exactly the new price, not a second subscription.
        stripe.resetRequests();
        TestApi.Response change = api.graphql(tenant.adminToken(), SUBSCRIBE, Map.of("input", Map.of("planId", growth)));
        assertThat(change.at("data.subscriptionCheckoutCreate.url")).as(change.body()).isEqualTo(StripeFixtures.PORTAL_URL);
        assertThat(requests(stripe, "/v1/checkout/sessions")).isEmpty();
        Map<String, String> portal = form(requests(stripe, "/v1/billing_portal/sessions").get(0));
        assertThat(portal).containsEntry("customer", customerId(tenant)).containsEntry("return_url", "https://app.example/billing")
                .containsEntry("flow_data[type]", "subscription_update_confirm").containsEntry("flow_data[subscription_update_confirm][subscription]", "sub_1Lifecycle")
                .containsEntry("flow_data[subscription_update_confirm][items][0][id]", "si_1Lifecycle")
                .containsEntry("flow_data[subscription_update_confirm][items][0][price]", "price_1GrowthCad");
        assertUserError(tenant.adminToken(), SUBSCRIBE, Map.of("planId", starter), "subscriptionCheckoutCreate", "INVALID_STATE");

        // Manage Subscription opens the portal's update flow for the live subscription.
        stripe.resetRequests();
        TestApi.Response manage = api.graphql(tenant.adminToken(), PORTAL, Map.of("input", Map.of("flow", "SUBSCRIPTION_UPDATE")));
        assertThat(manage.at("data.billingPortalSessionCreate.url")).as(manage.body()).isEqualTo(StripeFixtures.PORTAL_URL);
        assertThat(form(requests(stripe, "/v1/billing_portal/sessions").get(0))).containsEntry("flow_data[type]", "subscription_update")
                .containsEntry("flow_data[subscription_update][subscription]", "sub_1Lifecycle");

        // An older event (a stale "canceled") changes nothing.
        assertThat(billingService.applySubscription(new BillingService.SubscriptionChange(customerId(tenant), "sub_1Lifecycle", "si_1Lifecycle",
                "price_1StarterCad", "canceled", periodEnd, false, now.minusSeconds(60)))).isFalse();
        assertThat(TestApi.at(billing(tenant.memberToken(), tenant), "plan.name")).isEqualTo("Starter CAD");

        // Cancelled at the period end: still on the plan, and the page says so.
        assertThat(billingService.applySubscription(new BillingService.SubscriptionChange(customerId(tenant), "sub_1Lifecycle", "si_1Lifecycle",
                "price_1StarterCad", "active", periodEnd, true, now.plusSeconds(60)))).isTrue();
        assertThat(billing(tenant.memberToken(), tenant).get("cancelAtPeriodEnd")).isEqualTo(true);

        // Deleted: the free baseline at once, the plan options stay open.
        assertThat(billingService.applySubscription(new BillingService.SubscriptionChange(customerId(tenant), "sub_1Lifecycle", "si_1Lifecycle",
                "price_1StarterCad", "canceled", periodEnd, false, now.plusSeconds(120)))).isTrue();
        Map<String, Object> ended = billing(tenant.adminToken(), tenant);
        assertThat(TestApi.at(ended, "plan.name")).isEqualTo("Free");
        assertThat(ended.get("subscriptionStatus")).isEqualTo("CANCELED");
        assertThat(ended.get("nextBillingDate")).isNull();
        assertThat(ended.get("tokensRemaining")).isEqualTo(0);
        assertThat(TestApi.at(ended, "actions.startSubscription")).isEqualTo(true);
        assertThat(TestApi.at(ended, "actions.manageSubscription")).isEqualTo(false);
        assertThat(rows.count("SELECT COUNT(*) FROM billing_subscription WHERE organization_id = ?", id(tenant))).isEqualTo(1);

        // A customer no organization has changes nothing.
        assertThat(billingService.applySubscription(new BillingService.SubscriptionChange("cus_unknown", "sub_other", null,
                "price_1StarterCad", "active", periodEnd, false, now.plusSeconds(180)))).isFalse();
        assertThat(rows.count("SELECT COUNT(*) FROM billing_subscription WHERE stripe_subscription_id = 'sub_other'")).isZero();
    }

    @Test
    void platformAdminsManageStripePricesAndVisibilityAndBadPriceIdsAreRefused() {
        TestApi.Response invalid = api.graphql(admin, PLAN_CREATE, Map.of("input", Map.of("name", "Bad price", "monthlyPrice", "1", "currencyCode", "CAD",
                "monthlyTokens", 1, "resetDay", 1, "stripePriceId", "prod_NotAPrice")));
        assertThat(invalid.codes("data.planCreate.userErrors")).as(invalid.body()).containsExactly("INVALID");
        TestApi.Response taken = api.graphql(admin, PLAN_CREATE, Map.of("input", Map.of("name", "Same price", "monthlyPrice", "1", "currencyCode", "CAD",
                "monthlyTokens", 1, "resetDay", 1, "stripePriceId", "price_1StarterCad")));
        assertThat(taken.codes("data.planCreate.userErrors")).as(taken.body()).containsExactly("TAKEN");
        assertThat(rows.count("SELECT COUNT(*) FROM plan WHERE name IN ('Bad price', 'Same price')")).isZero();
        Fixtures.Tenant tenant = tenant("bill-catalog");
        TestApi.Response byMember = api.graphql(tenant.adminToken(), PLAN_CREATE, Map.of("input", Map.of("name", "Mine", "monthlyPrice", "1", "currencyCode", "CAD",
                "monthlyTokens", 1, "resetDay", 1)));
        assertThat(byMember.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        TestApi.Response hide = api.graphql(admin, "mutation($input: PlanUpdateInput!) { planUpdate(input: $input) { plan { visible stripePriceId } userErrors { code } } }",
                Map.of("input", Map.of("id", growth, "visible", false)));
        assertThat(hide.at("data.planUpdate.plan")).as(hide.body()).isEqualTo(Map.of("visible", false, "stripePriceId", "price_1GrowthCad"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> options = (List<Map<String, Object>>) billing(tenant.adminToken(), tenant).get("planOptions");
        assertThat(options).extracting(option -> option.get("name")).contains("Starter CAD").doesNotContain("Growth CAD");
        assertUserError(tenant.adminToken(), SUBSCRIBE, Map.of("planId", growth), "subscriptionCheckoutCreate", "NOT_FOUND");
        assertThat(api.graphql(tenant.adminToken(), "{ plans { name } }").pluck("data.plans", "name")).contains("Starter CAD").doesNotContain("Growth CAD", "Contract CAD");
        assertThat(api.graphql(admin, "{ plans { name } }").pluck("data.plans", "name")).contains("Growth CAD", "Contract CAD");
        api.graphql(admin, "mutation($input: PlanUpdateInput!) { planUpdate(input: $input) { userErrors { code } } }", Map.of("input", Map.of("id", growth, "visible", true)));
    }
}
