package io.meterline.platform.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.account.BillingCurrencyHistory;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.FxFixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code billingCurrencyChange} through GraphQL on the real database: a change from today bills today's
 * usage in the new currency at once and leaves earlier usage as it was converted; a change from a later
 * day waits for its UTC midnight; every refused input changes nothing.
 */
class BillingCurrencyChangeIT extends ServerTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final String CHANGE = "mutation($input: BillingCurrencyChangeInput!) { billingCurrencyChange(input: $input) {"
            + " organization { billingCurrency billingCurrencyHistory { currencyCode effectiveFrom } } userErrors { field code message } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    MutableClock clock;

    @Inject
    BillingStore store;

    @Inject
    BillingCurrencyHistory history;

    Rows rows;
    String admin;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        clock.set(NOW);
        admin = api.adminToken();
        FxFixtures.setRate(api, admin, "USD", "1.08", "2026-11-20");
        FxFixtures.setRate(api, admin, "CAD", "1.5", "2026-11-20");
    }

    @BeforeEach
    void resetClock() {
        clock.set(NOW);
    }

    private TestApi.Response change(String token, Fixtures.Tenant tenant, String currency, String effectiveFrom) {
        Map<String, Object> input = new HashMap<>(Map.of("organizationId", tenant.organizationId(), "currencyCode", currency));
        if (effectiveFrom != null) {
            input.put("effectiveFrom", effectiveFrom);
        }
        return api.graphql(token, CHANGE, Map.of("input", input));
    }

    private void send(Fixtures.Tenant tenant, String id, String timestamp) {
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(FxFixtures.gpt4(id, timestamp)))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private String billedIn(Fixtures.Tenant tenant, String eventId) {
        return (String) rows.value("SELECT e.billing_currency FROM usage_event e JOIN organization o ON o.id = e.organization_id"
                + " WHERE o.slug = ? AND e.event_id = ?", tenant.slug(), eventId);
    }

    private String currentCurrency(Fixtures.Tenant tenant) {
        return (String) rows.value("SELECT billing_currency FROM organization WHERE slug = ?", tenant.slug());
    }

    private long changes(Fixtures.Tenant tenant) {
        return rows.count("SELECT COUNT(*) FROM organization_billing_currency c JOIN organization o ON o.id = c.organization_id WHERE o.slug = ?",
                tenant.slug());
    }

    @Test
    void aChangeFromTodayBillsTodaysUsageInTheNewCurrencyAndKeepsThePast() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "fx-change-today", "UTC", "CAD");
        send(tenant, "before", "2026-11-24T10:00:00Z");

        TestApi.Response changed = change(admin, tenant, "EUR", null);
        assertThat(changed.at("data.billingCurrencyChange.userErrors")).as(changed.body()).isEqualTo(List.of());
        assertThat(changed.at("data.billingCurrencyChange.organization.billingCurrency")).isEqualTo("EUR");
        assertThat(changed.at("data.billingCurrencyChange.organization.billingCurrencyHistory")).isEqualTo(List.of(
                Map.of("currencyCode", "CAD", "effectiveFrom", "1999-01-01"), Map.of("currencyCode", "EUR", "effectiveFrom", "2026-11-25")));

        send(tenant, "today", "2026-11-25T10:00:00Z");
        send(tenant, "late-yesterday", "2026-11-24T23:59:59Z");
        assertThat(billedIn(tenant, "today")).isEqualTo("EUR");
        assertThat(billedIn(tenant, "before")).as("converted before the change: never re-converted").isEqualTo("CAD");
        assertThat(billedIn(tenant, "late-yesterday")).as("a day before the change, recorded after it").isEqualTo("CAD");
    }

    @Test
    void aChangeFromALaterDayBecomesCurrentAtItsUtcMidnight() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "fx-change-later", "America/Toronto", "CAD");
        TestApi.Response changed = change(admin, tenant, "USD", "2026-12-01");
        assertThat(changed.at("data.billingCurrencyChange.userErrors")).as(changed.body()).isEqualTo(List.of());
        assertThat(changed.at("data.billingCurrencyChange.organization.billingCurrency")).as("not yet").isEqualTo("CAD");

        clock.set(Instant.parse("2026-11-30T23:59:00Z"));
        send(tenant, "november", "2026-11-30T23:00:00Z");
        history.applyDue();
        assertThat(currentCurrency(tenant)).isEqualTo("CAD");

        clock.set(Instant.parse("2026-12-01T00:00:01Z"));
        send(tenant, "december", "2026-12-01T00:00:00Z");
        assertThat(billedIn(tenant, "november")).isEqualTo("CAD");
        assertThat(billedIn(tenant, "december")).as("usage of the day converts into it before the day's job ran").isEqualTo("USD");
        history.applyDue();
        assertThat(currentCurrency(tenant)).isEqualTo("USD");
    }

    @Test
    void refusedChangesAreTypedAndStoreNothing() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "fx-change-bad", "UTC", "CAD");
        Fixtures.Tenant other = Fixtures.tenant(api, "fx-change-other", "UTC", "USD");

        assertCode(change(admin, tenant, "EUR", "2026-11-24"), "effectiveFrom", "OUT_OF_RANGE");
        assertCode(change(admin, tenant, "XAU", null), "currencyCode", "INVALID");
        assertCode(change(admin, tenant, "ARS", null), "currencyCode", "NO_EXCHANGE_RATE");
        assertCode(change(admin, tenant, "CAD", "2026-12-01"), "currencyCode", "INVALID_STATE");
        assertThat(changes(tenant)).isZero();

        // Org admins and members cannot change it, not for their own organization, nor for another.
        for (String token : List.of(tenant.adminToken(), tenant.memberToken(), other.adminToken())) {
            TestApi.Response refused = change(token, tenant, "EUR", null);
            assertThat(refused.at("errors.0.extensions.code")).as(refused.body()).isEqualTo("FORBIDDEN");
        }
        assertThat(changes(tenant)).isZero();
        assertThat(currentCurrency(tenant)).isEqualTo("CAD");

        // One change per day.
        assertThat(change(admin, tenant, "EUR", "2026-12-01").at("data.billingCurrencyChange.userErrors")).isEqualTo(List.of());
        assertCode(change(admin, tenant, "USD", "2026-12-01"), "effectiveFrom", "TAKEN");
        assertThat(changes(tenant)).as("the first change also records the currency it replaces").isEqualTo(2);

        // A running Stripe subscription bills in one currency for its life.
        long organizationId = ((Number) rows.value("SELECT id FROM organization WHERE slug = ?", other.slug())).longValue();
        long planId = ((Number) rows.value("SELECT MIN(id) FROM plan")).longValue();
        store.saveSubscription(new BillingStore.SubscriptionRow(organizationId, "sub_fx_change", "si_fx_change", planId, SubscriptionStatus.ACTIVE,
                Instant.parse("2026-12-20T00:00:00Z"), false, NOW), NOW);
        TestApi.Response running = change(admin, other, "EUR", null);
        assertThat(running.codes("data.billingCurrencyChange.userErrors")).as(running.body()).containsExactly("INVALID_STATE");
        assertThat(changes(other)).isZero();
        assertThat(currentCurrency(other)).isEqualTo("USD");
    }

    private void assertCode(TestApi.Response response, String field, String code) {
        assertThat(response.at("data.billingCurrencyChange.organization")).as(response.body()).isNull();
        assertThat(response.at("data.billingCurrencyChange.userErrors.0.code")).as(response.body()).isEqualTo(code);
        assertThat(response.at("data.billingCurrencyChange.userErrors.0.field")).isEqualTo(List.of("input", field));
    }
}
