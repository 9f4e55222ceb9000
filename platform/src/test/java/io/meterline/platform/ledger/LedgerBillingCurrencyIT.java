package io.meterline.platform.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.FxFixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Money credits in the billing currency (issue 16), through {@code POST /v1/usage} and GraphQL on the
 * real database: a CAD organization's credits drawn by USD and EUR usage exact to the cent, one ledger
 * entry per usage day and meter (later usage of the day adds into it; a past day's usage is dated that
 * day), and a held event charged its converted amount once, when its rate arrives.
 *
 * <p>Rates (units per euro, set with fxRateSet): Mon 2026-11-16 USD 1.0823, CAD 1.4951; Fri
 * 2026-11-20 USD 1.08, CAD 1.5; NZD none until a test sets it.
 */
class LedgerBillingCurrencyIT extends ServerTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final String ENTRY = "mutation($input: LedgerEntryCreateInput!) { ledgerEntryCreate(input: $input) { userErrors { field code } } }";
    private static final String BALANCE = "{ balance { current { amount currencyCode } totalSpent { amount currencyCode } creditsUsed { amount currencyCode }"
            + " otherCurrencyCharges { amount currencyCode } estimatedUsageRemaining { meter unitPrice { amount currencyCode } originalUnitPrice { amount currencyCode }"
            + " per remaining } } }";
    private static final String USAGE_ENTRIES = "{ transactions(types: [USAGE]) { totalCount nodes { account service money { amount currencyCode } tokens eventCount"
            + " usageEventId lastUsageEventId usageDay createdAt description } } }";
    /** The flat-token provider prices every token at 0.00002 EUR: 48,611 tokens cost 0.97222 EUR. */
    private static final BigDecimal FLAT_COST = new BigDecimal("0.97222");

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    MutableClock clock;

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
        FxFixtures.setRate(api, admin, "USD", "1.0823", "2026-11-16");
        FxFixtures.setRate(api, admin, "CAD", "1.4951", "2026-11-16");
        FxFixtures.setRate(api, admin, "USD", "1.08", "2026-11-20");
        FxFixtures.setRate(api, admin, "CAD", "1.5", "2026-11-20");
    }

    @BeforeEach
    void resetClock() {
        clock.set(NOW);
    }

    private void credits(Fixtures.Tenant tenant, String amount) {
        TestApi.Response response = api.graphql(admin, ENTRY, Map.of("input", Map.of("organizationId", tenant.organizationId(), "kind", "PURCHASE",
                "account", "CREDITS", "amount", amount, "reason", "card payment")));
        assertThat(response.at("data.ledgerEntryCreate.userErrors")).as(response.body()).isEqualTo(List.of());
    }

    private TestApi.Response send(Fixtures.Tenant tenant, Map<?, ?>... events) {
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(events))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response;
    }

    private static Map<String, Object> flat(String id, String timestamp) {
        return Map.of("id", id, "timestamp", timestamp, "provider", "flat-token", "model", "any", "meters", Map.of("tokens", 48611));
    }

    private Map<String, Object> balance(Fixtures.Tenant tenant) {
        TestApi.Response response = api.graphql(tenant.memberToken(), BALANCE);
        assertThat(response.at("errors")).as(response.body()).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> balance = (Map<String, Object>) response.at("data.balance");
        return balance;
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> usageEntries(Fixtures.Tenant tenant) {
        TestApi.Response response = api.graphql(tenant.memberToken(), USAGE_ENTRIES);
        assertThat(response.at("errors")).as(response.body()).isNull();
        return (List<Map<String, Object>>) response.at("data.transactions.nodes");
    }

    private long organizationId(Fixtures.Tenant tenant) {
        return ((Number) rows.value("SELECT id FROM organization WHERE slug = ?", tenant.slug())).longValue();
    }

    private static BigDecimal amount(Map<String, Object> entry) {
        return new BigDecimal((String) TestApi.at(entry, "money.amount"));
    }

    @Test
    void usdAndEurUsageDrawACadOrganizationsCreditsToTheCent() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "credits-cad", "America/Toronto", "CAD");
        credits(tenant, "100");
        send(tenant, FxFixtures.gpt4("cad-usd", "2026-11-16T15:00:00Z"), flat("cad-eur", "2026-11-16T16:00:00Z"));

        // 6.96297 USD x 1.381409960270 = 9.618716111 CAD; 0.97222 EUR x 1.4951 = 1.453566122 CAD.
        BigDecimal usd = FxFixtures.converted(FxFixtures.GPT4_COST, "1.0823", "1.4951");
        BigDecimal eur = FxFixtures.converted(FLAT_COST, "1", "1.4951");
        assertThat(usd).isEqualByComparingTo("9.618716111");
        assertThat(eur).isEqualByComparingTo("1.453566122");
        Map<String, Object> balance = balance(tenant);
        assertThat(TestApi.at(balance, "current")).isEqualTo(Map.of("amount", "88.927717767", "currencyCode", "CAD"));
        assertThat(new BigDecimal("100").subtract(usd).subtract(eur)).isEqualByComparingTo("88.927717767");
        assertThat(TestApi.at(balance, "totalSpent")).isEqualTo(Map.of("amount", "11.072282233", "currencyCode", "CAD"));
        assertThat(TestApi.at(balance, "creditsUsed")).isEqualTo(Map.of("amount", "11.072282233", "currencyCode", "CAD"));
        assertThat(TestApi.at(balance, "otherCurrencyCharges")).as("nothing is charged in the priced currencies").isEqualTo(List.of());

        // The entries are in CAD and add up to the events' own billing figures, to the last decimal.
        List<Map<String, Object>> entries = usageEntries(tenant);
        assertThat(entries).extracting(entry -> entry.get("account") + " " + entry.get("service") + " " + TestApi.at(entry, "money.currencyCode")
                + " " + entry.get("usageDay")).containsExactlyInAnyOrder("CREDITS ai_data CAD 2026-11-16", "CREDITS ai_data_completion CAD 2026-11-16");
        assertThat(entries.stream().map(LedgerBillingCurrencyIT::amount).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo(usd.add(eur).negate());
        BigDecimal stored = (BigDecimal) rows.value("SELECT SUM(billing_cost) FROM usage_event WHERE organization_id = ?", organizationId(tenant));
        assertThat(stored).isEqualByComparingTo(usd.add(eur));

        // Estimates are in CAD too: the reference rates are USD, converted at today's rate.
        assertThat(TestApi.at(balance, "estimatedUsageRemaining.0.unitPrice.currencyCode")).isEqualTo("CAD");
        assertThat(TestApi.at(balance, "estimatedUsageRemaining.0.originalUnitPrice.currencyCode")).isEqualTo("USD");
        assertThat(TestApi.at(balance, "estimatedUsageRemaining.0.remaining")).isNotNull();
    }

    @Test
    void usageOfOneDayAndMeterIsOneEntryAndAPastDayIsDatedThatDay() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "credits-daily", "UTC", "CAD");
        credits(tenant, "50");
        send(tenant, flat("day-1", "2026-11-20T09:00:00Z"));
        send(tenant, flat("day-2", "2026-11-20T10:30:00Z"));
        // A replay posts nothing, whichever batch it comes in.
        assertThat(send(tenant, flat("day-1", "2026-11-20T09:00:00Z")).at("results.0.outcome")).isEqualTo("DUPLICATE");
        // Late usage of an earlier day: its own entry, dated when it happened, sorted with that day.
        send(tenant, flat("late-1", "2026-11-16T08:00:00Z"));

        List<Map<String, Object>> entries = usageEntries(tenant);
        assertThat(entries).hasSize(2);
        Map<String, Object> friday = entries.get(0);
        assertThat(friday.get("usageDay")).isEqualTo("2026-11-20");
        assertThat(friday.get("eventCount")).isEqualTo(2);
        assertThat(friday.get("tokens")).isEqualTo(2 * 48611);
        assertThat(friday.get("usageEventId") + ".." + friday.get("lastUsageEventId")).isEqualTo("day-1..day-2");
        assertThat(Instant.parse((String) friday.get("createdAt"))).isEqualTo(Instant.parse("2026-11-20T10:30:00Z"));
        assertThat(friday.get("description")).isEqualTo("ai_data usage on 2026-11-20");
        // 0.97222 EUR x 1.5 = 1.45833 CAD per event.
        assertThat(amount(friday)).isEqualByComparingTo(FxFixtures.converted(FLAT_COST, "1", "1.5").multiply(BigDecimal.valueOf(-2))).isEqualByComparingTo("-2.91666");
        Map<String, Object> monday = entries.get(1);
        assertThat(monday.get("usageDay")).isEqualTo("2026-11-16");
        assertThat(monday.get("eventCount")).isEqualTo(1);
        assertThat(Instant.parse((String) monday.get("createdAt"))).isEqualTo(Instant.parse("2026-11-16T08:00:00Z"));
        assertThat(amount(monday)).isEqualByComparingTo("-1.453566122");
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ? AND kind = 'USAGE'", organizationId(tenant))).isEqualTo(2);
        assertThat(TestApi.at(balance(tenant), "current.amount")).isEqualTo("45.629773878");
        // A day's range shows that day's entry only.
        TestApi.Response monday16 = api.graphql(tenant.memberToken(), "{ transactions(types: [USAGE], range: {from: \"2026-11-16\", to: \"2026-11-16\"}) { nodes { usageDay } } }");
        assertThat(monday16.pluck("data.transactions.nodes", "usageDay")).containsExactly("2026-11-16");
        // Another organization sees none of it.
        Fixtures.Tenant other = Fixtures.tenant(api, "credits-daily-other", "UTC", "CAD");
        assertThat(usageEntries(other)).isEmpty();
        assertThat(api.graphql(other.adminToken(), "query($org: ID) { transactions(organizationId: $org) { totalCount } }", Map.of("org", tenant.organizationId()))
                .at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
    }

    @Test
    void aHeldEventDrawsItsConvertedAmountOnceItsRateArrives() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "credits-nzd", "UTC", "NZD");
        credits(tenant, "50");
        send(tenant, FxFixtures.gpt4("held-1", "2026-11-17T10:00:00Z"));
        // No NZD rate: nothing is charged, in NZD or in USD, and the lines wait for their charge.
        assertThat(TestApi.at(balance(tenant), "current.amount")).isEqualTo("50.000000000");
        assertThat(TestApi.at(balance(tenant), "otherCurrencyCharges")).isEqualTo(List.of());
        assertThat(usageEntries(tenant)).isEmpty();
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_uncharged_line WHERE organization_id = ?", organizationId(tenant))).isEqualTo(2);

        FxFixtures.setRate(api, admin, "NZD", "1.6789", "2026-11-17");
        // USD's leg is Monday's (1.0823): 6.96297 x 1.551233484247 = 10.801192214 NZD.
        BigDecimal charged = FxFixtures.converted(FxFixtures.GPT4_COST, "1.0823", "1.6789");
        assertThat(charged).isEqualByComparingTo("10.801192214");
        assertThat(TestApi.at(balance(tenant), "current.amount")).isEqualTo(new BigDecimal("50").subtract(charged).toPlainString()).isEqualTo("39.198807786");
        List<Map<String, Object>> entries = usageEntries(tenant);
        assertThat(entries).allSatisfy(entry -> {
            assertThat(entry.get("usageDay")).isEqualTo("2026-11-17");
            assertThat(TestApi.at(entry, "money.currencyCode")).isEqualTo("NZD");
        });
        assertThat(entries.stream().map(LedgerBillingCurrencyIT::amount).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo(charged.negate());
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_uncharged_line WHERE organization_id = ?", organizationId(tenant))).isZero();

        // Another rate and a replay charge nothing twice.
        FxFixtures.setRate(api, admin, "NZD", "1.69", "2026-11-18");
        assertThat(send(tenant, FxFixtures.gpt4("held-1", "2026-11-17T10:00:00Z")).at("results.0.outcome")).isEqualTo("DUPLICATE");
        assertThat(TestApi.at(balance(tenant), "current.amount")).isEqualTo("39.198807786");
        assertThat(usageEntries(tenant)).hasSize(entries.size());
    }
}
