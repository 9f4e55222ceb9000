package io.meterline.platform.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.alert.AlertRequest;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Usage stored unpriced and priced later by {@code rateSet}: once an event is priced (and converted
 * into the billing currency), the repricing charges the balance through ledger entries and counts the
 * cost against COST budgets, once, for the events' own organization.
 */
class RepriceChargeIT extends ServerTest {

    private static final String RATE_SET = "mutation($input: RateSetInput!) { rateSet(input: $input) { rate { version } repricedEventCount userErrors { field code } } }";
    private static final String ENTRY_CREATE = "mutation($input: LedgerEntryCreateInput!) { ledgerEntryCreate(input: $input) { userErrors { field code } } }";
    private static final String BALANCE = "query($org: ID) { balance(organizationId: $org) { current { amount currencyCode } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    AlertCollector alerts;

    Rows rows;
    String admin;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        admin = api.adminToken();
    }

    private void entry(Fixtures.Tenant tenant, String kind, String account, String amount) {
        Map<String, Object> input = Map.of("organizationId", tenant.organizationId(), "kind", kind, "account", account, "amount", amount, "reason", "test");
        TestApi.Response response = api.graphql(admin, ENTRY_CREATE, Map.of("input", input));
        assertThat(response.at("data.ledgerEntryCreate.userErrors")).as(response.body()).isEqualTo(List.of());
    }

    private void usage(Fixtures.Tenant tenant, Instant at, String model, Object... idsAndMeters) {
        List<Map<String, Object>> events = new java.util.ArrayList<>();
        for (int i = 0; i < idsAndMeters.length; i += 2) {
            events.add(Map.of("id", idsAndMeters[i], "timestamp", at.toString(), "provider", "anthropic", "model", model, "meters", idsAndMeters[i + 1]));
        }
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", events)));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("\"priced\":true");
    }

    private long rateSet(String model, String meter, String unitPrice, Instant effectiveFrom) {
        TestApi.Response response = api.graphql(admin, RATE_SET, Map.of("input", Map.of("provider", "anthropic", "model", model, "meter", meter,
                "unitPrice", unitPrice, "per", 1000, "effectiveFrom", effectiveFrom.toString())));
        assertThat(response.at("data.rateSet.userErrors")).as(response.body()).isEqualTo(List.of());
        return ((Number) response.at("data.rateSet.repricedEventCount")).longValue();
    }

    private BigDecimal balance(Fixtures.Tenant tenant) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("org", tenant.organizationId());
        TestApi.Response response = api.graphql(admin, BALANCE, variables);
        assertThat(response.at("data.balance.current.currencyCode")).as(response.body()).isEqualTo("USD");
        return new BigDecimal((String) response.at("data.balance.current.amount"));
    }

    /** The balance the page shows is the stored total, which is the sum of the CREDITS entries. */
    private BigDecimal assertBalanceIsTheSumOfEntries(Fixtures.Tenant tenant) {
        long id = rowId(tenant);
        BigDecimal entries = (BigDecimal) rows.value("SELECT COALESCE(SUM(amount), 0) FROM ledger_entry WHERE organization_id = ? AND account_kind = 'CREDITS'"
                + " AND currency = 'USD'", id);
        assertThat((BigDecimal) rows.value("SELECT credits FROM ledger_balance WHERE organization_id = ?", id)).isEqualByComparingTo(entries);
        BigDecimal shown = balance(tenant);
        assertThat(shown).isEqualByComparingTo(entries);
        return shown;
    }

    private static long rowId(Fixtures.Tenant tenant) {
        return GlobalId.decode(tenant.organizationId()).orElseThrow().id();
    }

    private String consumed(Fixtures.Tenant tenant, String budgetId) {
        TestApi.Response status = api.graphql(tenant.adminToken(), BudgetIT.STATUS, Map.of("id", budgetId));
        return (String) status.at("data.node.status.consumed");
    }

    private String budget(Fixtures.Tenant tenant, Map<String, Object> input) {
        TestApi.Response response = api.graphql(tenant.adminToken(), BudgetIT.CREATE, Map.of("input", input));
        String id = (String) response.at("data.budgetCreate.budget.id");
        assertThat(id).as(response.body()).isNotNull();
        return id;
    }

    @Test
    void repricingChargesTheNewlyPricedLinesOnceToTheEventsOwnOrganization() {
        String model = "claude-reprice-" + System.nanoTime();
        Instant at = Instant.now().minusSeconds(120);
        Instant from = at.truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
        Fixtures.Tenant owner = Fixtures.tenant(api, "reprice-owner", "UTC");
        Fixtures.Tenant other = Fixtures.tenant(api, "reprice-other", "UTC");
        entry(owner, "PURCHASE", "CREDITS", "20.00");
        // 500 top-up tokens pay for half of the first event's input tokens at ingestion: repricing charges only the other half.
        entry(owner, "PURCHASE", "TOPUP_TOKENS", "500");
        entry(other, "PURCHASE", "CREDITS", "20.00");
        String all = budget(owner, BudgetIT.input("name", "Spend", "metric", "COST", "period", "MONTH", "limit", "20", "thresholds", List.of(50)));
        String team = budget(owner, BudgetIT.input("name", "Blue spend", "metric", "COST", "period", "MONTH", "scope", "TEAM", "scopeKey", "blue", "limit", "20"));
        String tokens = budget(owner, BudgetIT.input("name", "Tokens", "metric", "TOKENS", "period", "MONTH", "limit", "100000"));
        String otherBudget = budget(other, BudgetIT.input("name", "Spend", "metric", "COST", "period", "MONTH", "limit", "20"));

        usage(owner, at, model,
                "rp-1", Map.of("input_tokens", 1000, "output_tokens", 1000),
                "rp-2", Map.of("input_tokens", 2000, "output_tokens", 500),
                "rp-3", Map.of("input_tokens", 3000, "output_tokens", 1500));
        TestApi.Response blue = api.usage(owner.apiKey(), api.write(Map.of("events", List.of(Map.of("id", "rp-blue", "timestamp", at.toString(),
                "provider", "anthropic", "model", model, "meters", Map.of("input_tokens", 1000, "output_tokens", 0), "dimensions", Map.of("team", "blue"))))));
        assertThat(blue.status()).as(blue.body()).isEqualTo(200);
        usage(other, at, model, "rp-x", Map.of("input_tokens", 4000, "output_tokens", 4000));
        usage(other, at, model + "-other", "rp-y", Map.of("input_tokens", 4000, "output_tokens", 4000));
        assertThat(assertBalanceIsTheSumOfEntries(owner)).isEqualByComparingTo("20");
        assertThat(consumed(owner, tokens)).isEqualTo("10000.000000000");
        long entriesBefore = rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ?", rowId(owner));

        // Input tokens priced: three events keep an unpriced line and have no figure in the billing currency yet, so nothing of
        // them is charged or counted; the blue event used no output tokens and is fully priced now, so it is charged and counted.
        assertThat(rateSet(model, "input_tokens", "1", from)).as("four of the owner, one of the other organization").isEqualTo(5);
        assertThat(assertBalanceIsTheSumOfEntries(owner)).isEqualByComparingTo("19"); // 20 - 1
        assertThat(consumed(owner, all)).isEqualTo("1.000000000");
        assertThat(consumed(owner, team)).isEqualTo("1.000000000");
        long entry = rows.count("SELECT MAX(id) FROM ledger_entry WHERE organization_id = ?", rowId(owner));
        // One entry per (usage day, account, service, currency).
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ?", rowId(owner))).isEqualTo(entriesBefore + 1);
        assertThat(rows.value("SELECT kind FROM ledger_entry WHERE id = ?", entry)).isEqualTo("USAGE");
        assertThat(rows.value("SELECT account_kind FROM ledger_entry WHERE id = ?", entry)).isEqualTo("CREDITS");
        assertThat(rows.value("SELECT service FROM ledger_entry WHERE id = ?", entry)).isEqualTo("ai_data");
        assertThat((BigDecimal) rows.value("SELECT amount FROM ledger_entry WHERE id = ?", entry)).isEqualByComparingTo("-1");
        assertThat(rows.count("SELECT tokens FROM ledger_entry WHERE id = ?", entry)).isEqualTo(1000);
        assertThat(rows.count("SELECT event_count FROM ledger_entry WHERE id = ?", entry)).isEqualTo(1);
        assertThat((String) rows.value("SELECT description FROM ledger_entry WHERE id = ?", entry)).isEqualTo("ai_data usage on " + at.atZone(ZoneOffset.UTC).toLocalDate());

        // Output tokens priced: the other events are fully priced now: each line is charged what no tokens covered at ingestion
        // (into the day's entries), and their whole cost counts against the COST budgets that cover them.
        assertThat(rateSet(model, "output_tokens", "2", from)).as("three of the owner, one of the other organization").isEqualTo(4);
        assertThat(assertBalanceIsTheSumOfEntries(owner)).isEqualByComparingTo("7.5"); // 19 - (0.5 + 2 + 3) - (2 + 1 + 3)
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ?", rowId(owner))).isEqualTo(entriesBefore + 2);
        assertThat((BigDecimal) rows.value("SELECT amount FROM ledger_entry WHERE id = ?", entry)).isEqualByComparingTo("-6.5");
        assertThat(rows.count("SELECT event_count FROM ledger_entry WHERE id = ?", entry)).isEqualTo(4);
        assertThat(consumed(owner, all)).isEqualTo("13.000000000"); // 3 + 3 + 6 + 1, top-up tokens or not
        assertThat(consumed(owner, team)).isEqualTo("1.000000000");
        assertThat(consumed(owner, tokens)).isEqualTo("10000.000000000");
        List<AlertRequest> crossed = alerts.forOrganization(rowId(owner)).stream().filter(alert -> alert.kind().equals("BUDGET_THRESHOLD")).toList();
        assertThat(crossed).extracting(AlertRequest::level).containsExactly("WARNING");
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_uncharged_line WHERE organization_id = ?", rowId(owner))).isZero();

        // A new version prices nothing again and charges nothing again.
        assertThat(rateSet(model, "input_tokens", "5", from)).isZero();
        assertThat(assertBalanceIsTheSumOfEntries(owner)).isEqualByComparingTo("7.5");
        assertThat(consumed(owner, all)).isEqualTo("13.000000000");
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ?", rowId(owner))).isEqualTo(entriesBefore + 2);

        // The other organization paid for its own event only (4 + 8), and its event of another model is still unpriced and uncharged.
        assertThat(assertBalanceIsTheSumOfEntries(other)).isEqualByComparingTo("8");
        assertThat(consumed(other, otherBudget)).isEqualTo("12.000000000");
        assertThat(rows.value("SELECT priced FROM usage_event WHERE event_id = 'rp-y'")).isIn(false, 0, (byte) 0);
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_uncharged_line WHERE organization_id = ?", rowId(other))).isEqualTo(2);
    }

    @Test
    void badRateInputWritesNoEntry() {
        long before = rows.count("SELECT COUNT(*) FROM ledger_entry");
        TestApi.Response bad = api.graphql(admin, RATE_SET, Map.of("input", Map.of("provider", "anthropic", "model", "claude-bad", "meter", "input_tokens",
                "unitPrice", "-1")));
        assertThat(bad.codes("data.rateSet.userErrors")).as(bad.body()).containsExactly("OUT_OF_RANGE");
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry")).isEqualTo(before);
    }
}
